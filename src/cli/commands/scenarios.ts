/**
 * `wapk scenarios [NAME|NUMBER] [--json]`: the local stack's scenario numbers (src/local/scenarios.ts)
 * — recipients that make the provider mocks and the callback simulator produce one outcome on
 * purpose. Without an argument, the list; with one, what each provider does and what it leaves.
 * Needs no running stack.
 */
import { PROVIDERS } from '../../providers/names.ts';
import { SCENARIOS, scenarioOf, type ProviderPlay, type Scenario } from '../../local/scenarios.ts';
import { expectPositionals, parse, USAGE } from '../args.ts';
import { UsageError } from '../errors.ts';
import { out, printJson, table } from '../io.ts';
import type { Environment } from '../settings.ts';

export async function scenarios(args: readonly string[], _environment: Environment): Promise<number> {
  const usage = USAGE.scenarios;
  const { values, positionals } = parse(args, {}, usage);
  if (values.help) {
    out(`usage: ${usage}`);
    return 0;
  }
  expectPositionals('scenarios', positionals, ['NAME|NUMBER'], usage, 1);
  const wanted = positionals[0];
  if (wanted === undefined) {
    if (values.json) printJson({ scenarios: SCENARIOS });
    else {
      const rows = SCENARIOS.map((s) => [s.number, s.name, providersOf(s), s.outcome]);
      for (const line of table([['NUMBER', 'SCENARIO', 'PROVIDERS', 'WHAT HAPPENS'], ...rows])) out(line);
      out('');
      out('Send to one of these numbers through the local stack (`npm start`); `wapk scenarios NAME` tells what each provider does');
      out('and what the pipeline leaves.');
    }
    return 0;
  }
  const scenario = SCENARIOS.find((s) => s.name === wanted) ?? scenarioOf(wanted);
  if (!scenario) {
    throw new UsageError(`no scenario ${JSON.stringify(wanted)}; the scenarios are ${SCENARIOS.map((s) => s.name).join(', ')}`, usage);
  }
  if (values.json) printJson(scenario);
  else for (const line of describe(scenario)) out(line);
  return 0;
}

function providersOf(scenario: Scenario): string {
  const names = PROVIDERS.filter((provider) => scenario.providers[provider]);
  return names.length === PROVIDERS.length ? 'all' : names.join(' ');
}

function describe(scenario: Scenario): string[] {
  const lines = [`${scenario.number}  ${scenario.name}`, `  what happens  ${scenario.outcome}`, `  the pipeline  ${scenario.leaves}`];
  for (const provider of PROVIDERS) {
    const play = scenario.providers[provider];
    lines.push(`  ${provider.padEnd(12)}  ${play ? how(play) : 'cannot produce it'}`);
  }
  if (scenario.notFor) lines.push(`  why not all   ${scenario.notFor}`);
  if (scenario.note) lines.push(`  note          ${scenario.note}`);
  return lines;
}

function how(play: ProviderPlay): string {
  const parts: string[] = [];
  const send = play.send;
  if (send?.kind === 'refuse') {
    const example = send.example ? ` (${send.example})` : '';
    const retry = send.retryAfterS !== undefined ? `, retry in ${send.retryAfterS} s` : '';
    parts.push(`the send is answered ${send.status}${example}${retry}${send.once ? ', its retry goes through' : ''}`);
  }
  if (send?.kind === 'hold') parts.push('the send is held, then dropped unanswered');
  if (send?.kind === 'drop') parts.push('the send is dropped unanswered');
  const callbacks = play.callbacks;
  if (callbacks?.failWith) parts.push(`callbacks end in failed ${callbacks.failWith.code} (${callbacks.failWith.title})`);
  if (callbacks?.lateSent) parts.push('sent is called back last');
  if (callbacks?.twice) parts.push('every callback twice');
  if (callbacks?.beforeAnswer) parts.push('callbacks before the send answer');
  if (parts.length === 0) parts.push('the ordinary lifecycle');
  const status = Array.isArray(play.expect.status) ? play.expect.status.join(' or ') : play.expect.status;
  const leaves = [status];
  if (play.expect.pause) leaves.push(`${play.expect.pause} paused`);
  if (play.expect.suppressed) leaves.push('recipient suppressed');
  return `${parts.join('; ')} → ${leaves.join(', ')}`;
}
