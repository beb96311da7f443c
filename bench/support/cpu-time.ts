/** This process's CPU time so far (user and system), ms: what a bench run spent, whatever the machine's load. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
