/**
 * The live drift check's report as text: one line per operation (its outcome, the check, the
 * operation and the status it answered), one line per finding under it (drift or additive, where,
 * the rule, what), and a last line with the verdict. The JSON report (`--json FILE`) is the
 * `VerifyReport` itself.
 */
import type { Finding } from './answer.ts';
import type { OperationReport, Outcome, VerifyReport } from './run.ts';

const PAD = { outcome: 9, check: 22 };

export function reportLines(report: VerifyReport): string[] {
  const where = report.target === 'mock' ? ' (a local mock: account fields not given are placeholders)' : '';
  const lines = [`verify:live ${report.provider} at ${report.baseUrl}${where}`];
  for (const operation of report.operations) lines.push(...operationLines(operation));
  lines.push(verdict(report));
  return lines;
}

function operationLines(operation: OperationReport): string[] {
  const answered = operation.status === undefined ? '' : ` → ${operation.status}`;
  const indent = ' '.repeat(2 + PAD.outcome + 1);
  const lines = [`  ${operation.outcome.padEnd(PAD.outcome)} ${operation.check.padEnd(PAD.check)} ${operation.operationId}${answered}`];
  for (const finding of operation.findings) lines.push(`${indent}${findingLine(finding)}`);
  if (operation.note) lines.push(`${indent}${operation.note}`);
  return lines;
}

export function findingLine(finding: Finding): string {
  const where = finding.in === 'status' ? 'status' : finding.in === 'header' ? `header ${finding.path}` : `body ${finding.path || '/'}`;
  const times = finding.count && finding.count > 1 ? ` (×${finding.count})` : '';
  return `${finding.kind.padEnd(8)} ${where}  ${finding.rule}: ${finding.message}${times}`;
}

function verdict(report: VerifyReport): string {
  const counts = new Map<Outcome, number>();
  for (const operation of report.operations) counts.set(operation.outcome, (counts.get(operation.outcome) ?? 0) + 1);
  const tally = (['ok', 'additive', 'drift', 'error', 'skipped'] as const)
    .filter((outcome) => counts.has(outcome))
    .map((outcome) => `${counts.get(outcome)} ${outcome}`)
    .join(', ');
  if (report.result === 'drift')
    return `DRIFT: ${counts.get('drift')} operation(s) answer otherwise than specs/${report.provider}.yaml (${tally})`;
  if (report.result === 'incomplete') return `incomplete: no drift seen, but ${counts.get('error')} check(s) could not say (${tally})`;
  return `no drift (${tally})`;
}
