/**
 * Writes the table of docs/scenarios.md from the scenario data (src/local/scenarios.ts): one row
 * per scenario, one column per provider (how it produces the scenario, or `—`), and why the
 * providers that cannot produce one cannot. `node scripts/scenarios-doc.ts` (`npm run
 * docs:scenarios`) rewrites the part between the markers; test/mock/scenarios.test.ts fails while
 * the page differs from what this writes (a provider added, a play changed).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { SCENARIOS, type ProviderPlay } from '../src/local/scenarios.ts';
import { PROVIDERS } from '../src/providers/names.ts';

export const SCENARIOS_DOC = new URL('../docs/scenarios.md', import.meta.url);
const BEGIN = '<!-- scenarios: written by `npm run docs:scenarios` from src/local/scenarios.ts; edit that, not this -->';
const END = '<!-- /scenarios -->';

/** How a provider produces a scenario, in a few words: `send 401 invalidApiKey`, `callback 131026`, `callbacks`, `✓`. */
function cell(play: ProviderPlay | undefined): string {
  if (!play) return '—';
  const send = play.send;
  if (send?.kind === 'refuse') return ['send', send.status, send.example].filter((part) => part !== undefined).join(' ');
  if (send?.kind === 'hold') return 'send held';
  if (send?.kind === 'drop') return 'send dropped';
  if (play.callbacks?.failWith) return `callback ${play.callbacks.failWith.code}`;
  if (play.callbacks && Object.keys(play.callbacks).length > 0) return 'callbacks';
  return '✓';
}

const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

/** The generated part: the table, then why some providers cannot produce a scenario. */
export function scenariosSection(): string {
  const header = ['number', 'scenario', 'what happens', 'what the pipeline leaves', ...PROVIDERS];
  const lines = [
    row(header),
    `|${header.map(() => '---').join('|')}|`,
    ...SCENARIOS.map((s) => row([`\`${s.number}\``, s.name, s.outcome, s.leaves, ...PROVIDERS.map((p) => cell(s.providers[p]))])),
    '',
    'Why a provider cannot produce a scenario (`—` above):',
    '',
    ...SCENARIOS.flatMap((s) => (s.notFor ? [`- **${s.name}**: ${s.notFor}.`] : [])),
  ];
  return [BEGIN, ...lines, END].join('\n');
}

/** `doc` with its generated part as `scenariosSection()` writes it. @throws when the markers are missing */
export function renderScenariosDoc(doc: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/scenarios.md: the markers ${BEGIN} … ${END} are missing`);
  return `${doc.slice(0, begin)}${scenariosSection()}${doc.slice(end + END.length)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const doc = readFileSync(SCENARIOS_DOC, 'utf8');
  const rendered = renderScenariosDoc(doc);
  if (rendered === doc) console.log('docs/scenarios.md is up to date');
  else {
    writeFileSync(SCENARIOS_DOC, rendered);
    console.log('docs/scenarios.md: table written');
  }
}
