/**
 * Bundle size and cold import, per function, against its floor.
 *
 * Project: each function bundled as it is deployed (infra/bundle.ts `bundleFunction`: minified, the
 * AWS SDK inside, split at dynamic imports); naive: one unminified file, CommonJS builds first, the
 * SDK inside too.
 *
 * The floor of a function is a minimal handler that imports only the AWS SDK names the function's
 * own code imports — read from the function's bundle (its metafile: the repository files that went
 * into the output and their `@aws-sdk/*` imports; each file's import statements give the names, and
 * whether the import is static or dynamic) — bundled the same way. Each bundle is imported by a fresh
 * Node process, which times the import itself (Node's own start, the same for all, left out);
 * function and floor runs alternate, so both see the same load; the median of repeated runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSync, type Metafile } from 'esbuild';
import ts from 'typescript';
import { bundleFunction, loadedOutputs, REPO_ROOT } from '../infra/bundle.ts';
import { functionEntry, PIPELINE_FUNCTIONS, type PipelineFunctionName } from '../infra/components/functions.ts';
import { runFirstInvocation } from './first-invocation.ts';

/** The deployed functions (infra/components/functions.ts). */
export const FUNCTIONS = PIPELINE_FUNCTIONS;

interface Built {
  file: string;
  /** All the code's bytes, and those an import loads (the project's bundles are split at dynamic imports). */
  bytes: number;
  loadBytes: number;
  /** The files an import loads: the entry and the chunks it imports statically, transitively (each one Node reads, compiles and links). */
  loadFiles: number;
}

/** How many output files importing `file` loads, by its metafile's static imports. */
function loadedFiles(metafile: Metafile, file: string): number {
  return loadedOutputs(metafile.outputs, relative(REPO_ROOT, file)).size;
}

const BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** The naive build: unminified, `main` (CommonJS) entry points first, as esbuild does by default. */
function naiveBundle(name: string, entry: string): Built {
  const dir = join(REPO_ROOT, '.build', 'bench-naive', name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  buildSync({
    entryPoints: [join(REPO_ROOT, entry)],
    outfile: file,
    bundle: true,
    minify: false,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    banner: { js: BANNER },
    logLevel: 'silent',
  });
  const bytes = statSync(file).size;
  return { file, bytes, loadBytes: bytes, loadFiles: 1 };
}

function build(name: string, entry: string, naive: boolean): Built {
  if (naive) return naiveBundle(name, entry);
  const bundle = bundleFunction(name, entry, 'bench');
  return { ...bundle, loadFiles: loadedFiles(bundle.metafile, bundle.file) };
}

/** What a function's code imports from one `@aws-sdk/*` package: names imported statically, names imported on first use. */
export interface SdkImport {
  specifier: string;
  static: Set<string>;
  dynamic: Set<string>;
}

/** The names `source` imports (not types) from each `@aws-sdk/*` package, by `import {…} from` and `const {…} = await import(…)`. */
function sdkImportsOf(path: string, into: Map<string, SdkImport>): void {
  const source = ts.createSourceFile(path, readFileSync(join(REPO_ROOT, path), 'utf8'), ts.ScriptTarget.Latest, true);
  const entry = (specifier: string): SdkImport => {
    const found = into.get(specifier) ?? { specifier, static: new Set(), dynamic: new Set() };
    into.set(specifier, found);
    return found;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text.startsWith('@aws-sdk/')) {
      const clause = node.importClause;
      if (clause && !clause.isTypeOnly) {
        const names = entry(node.moduleSpecifier.text).static;
        const bindings = clause.namedBindings;
        if (clause.name) names.add('default');
        if (bindings && ts.isNamespaceImport(bindings)) names.add('*');
        if (bindings && ts.isNamedImports(bindings)) {
          for (const element of bindings.elements) if (!element.isTypeOnly) names.add((element.propertyName ?? element.name).text);
        }
      }
    }
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0]) &&
      node.arguments[0].text.startsWith('@aws-sdk/')
    ) {
      const names = entry(node.arguments[0].text).dynamic;
      const declaration = ts.isAwaitExpression(node.parent) ? node.parent.parent : undefined;
      if (declaration && ts.isVariableDeclaration(declaration) && ts.isObjectBindingPattern(declaration.name)) {
        for (const element of declaration.name.elements) {
          const key = element.propertyName ?? element.name;
          names.add(ts.isIdentifier(key) ? key.text : '*');
        }
      } else {
        names.add('*');
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

/**
 * The `@aws-sdk/*` names a function's own code imports: from the repository files (not packages)
 * that contributed to its bundle's output and import an `@aws-sdk/*` package, per its metafile.
 */
export function sdkImports(metafile: Metafile): SdkImport[] {
  const contributed = new Set(
    Object.values(metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => path),
    ),
  );
  const found = new Map<string, SdkImport>();
  for (const [path, input] of Object.entries(metafile.inputs)) {
    if (path.includes('node_modules/') || !contributed.has(path)) continue;
    if (input.imports.some((i) => i.original?.startsWith('@aws-sdk/'))) sdkImportsOf(path, found);
  }
  return [...found.values()].filter((i) => i.static.size + i.dynamic.size > 0).sort((a, b) => a.specifier.localeCompare(b.specifier));
}

/** A handler that imports `imports` and nothing else: the static names at load, the dynamic ones when called. */
export function floorSource(imports: readonly SdkImport[]): string {
  const lines: string[] = [];
  const kept: string[] = [];
  const later: string[] = [];
  imports.forEach((i, n) => {
    const named = [...i.static].filter((name) => name !== '*' && name !== 'default');
    if (i.static.has('*')) {
      lines.push(`import * as ns${n} from ${JSON.stringify(i.specifier)};`);
      kept.push(`ns${n}`);
    }
    if (i.static.has('default')) {
      lines.push(`import def${n} from ${JSON.stringify(i.specifier)};`);
      kept.push(`def${n}`);
    }
    if (named.length > 0) {
      lines.push(`import { ${named.map((name, k) => `${name} as s${n}_${k}`).join(', ')} } from ${JSON.stringify(i.specifier)};`);
      kept.push(...named.map((_, k) => `s${n}_${k}`));
    }
    if (i.dynamic.size > 0) {
      const names = [...i.dynamic];
      const binding = names.includes('*') ? `d${n}` : `{ ${names.map((name, k) => `${name}: d${n}_${k}`).join(', ')} }`;
      later.push(`  const ${binding} = await import(${JSON.stringify(i.specifier)});`);
      later.push(`  used.push(${names.includes('*') ? `d${n}` : names.map((_, k) => `d${n}_${k}`).join(', ')});`);
    }
  });
  return [
    '// The floor of a function (bench/coldstart.ts): the AWS SDK names its code imports, and nothing else.',
    ...lines,
    `const used = [${kept.join(', ')}];`,
    'export const handler = async () => {',
    ...later,
    '  return used.length;',
    '};',
    '',
  ].join('\n');
}

/** Writes the floor handler of `name` and bundles it like the function; returns the bundle. */
function floorBundle(name: string, imports: readonly SdkImport[], naive: boolean): Built {
  const entry = `.build/bench-floor/${name}.mjs`;
  mkdirSync(join(REPO_ROOT, '.build', 'bench-floor'), { recursive: true });
  writeFileSync(join(REPO_ROOT, entry), floorSource(imports));
  return build(`${name}-floor`, entry, naive);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The wall time of the import `script` makes in a fresh `node` (it prints it), ms. */
function importMs(script: string): number {
  const out = execFileSync(process.execPath, [script], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return Number(out.trim().split('\n').at(-1));
}

export interface ColdStartOptions {
  naive: boolean;
  runs?: number;
  /** Only these functions (all by default). */
  only?: readonly PipelineFunctionName[];
}

/**
 * Per function: `bundle_kb_` (all its code), `bundle_load_kb_` (what an import loads) and its floor's
 * `bundle_floor_load_kb_`, `bundle_load_files_` and `bundle_floor_load_files_` (the files an import
 * loads: each costs the import a read, a compile and a link, whatever its size), `cold_import_ms_`, `cold_import_floor_ms_`, `cold_import_ratio_` (function
 * ÷ floor), and `first_invocation_ms_` (init plus the first invocation against stubbed AWS,
 * bench/first-invocation.ts). `BENCH_COLD_RUNS` sets the runs per median (default 9).
 */
export async function runColdStart({
  naive,
  runs = Number(process.env.BENCH_COLD_RUNS ?? 9),
  only = FUNCTIONS,
}: ColdStartOptions): Promise<Record<string, number>> {
  const label = naive ? 'naive' : 'project';
  const dir = join(REPO_ROOT, '.build', 'bench-import');
  mkdirSync(dir, { recursive: true });
  const importer = (file: string, as: string) => {
    const script = join(dir, `${label}-${as}.mjs`);
    const timed = `const started = performance.now();\nawait import(${JSON.stringify(file)});\n`;
    writeFileSync(script, `${timed}process.stdout.write(\`\\n\${performance.now() - started}\\n\`);\n`);
    return script;
  };
  const subjects = only.map((name) => {
    const entry = functionEntry(name);
    // The SDK imports come from the deployed build's metafile, for both configurations (the same code).
    const imports = sdkImports(bundleFunction(name, entry, 'bench').metafile);
    const fn = build(name, entry, naive);
    const floor = floorBundle(name, imports, naive);
    return { name, fn, floor, scripts: [importer(fn.file, name), importer(floor.file, `${name}-floor`)] as const };
  });
  const times = new Map<string, number[]>();
  const time = (key: string, script: string) => times.set(key, [...(times.get(key) ?? []), importMs(script)]);
  // Round-robin: each function's runs and its floor's alternate, so both share the machine's load of that moment.
  for (let run = 0; run < runs; run++) {
    for (const { name, scripts } of subjects) {
      time(name, scripts[0]);
      time(`${name}-floor`, scripts[1]);
    }
  }
  const metrics: Record<string, number> = {};
  const ms = (key: string) => Math.round(median(times.get(key)!) * 10) / 10;
  for (const { name, fn, floor } of subjects) {
    metrics[`bundle_kb_${name}`] = Math.round(fn.bytes / 1024);
    metrics[`bundle_load_kb_${name}`] = Math.round(fn.loadBytes / 1024);
    metrics[`bundle_floor_load_kb_${name}`] = Math.round(floor.loadBytes / 1024);
    metrics[`bundle_load_files_${name}`] = fn.loadFiles;
    metrics[`bundle_floor_load_files_${name}`] = floor.loadFiles;
    metrics[`cold_import_ms_${name}`] = ms(name);
    metrics[`cold_import_floor_ms_${name}`] = ms(`${name}-floor`);
    metrics[`cold_import_ratio_${name}`] = Math.round((ms(name) / Math.max(ms(`${name}-floor`), 0.1)) * 100) / 100;
  }
  // Then each bundle's init and first invocation, against stubbed AWS (bench/first-invocation.ts).
  const first = await runFirstInvocation(
    subjects.map(({ name, fn }) => ({ name, file: fn.file })),
    { label },
  );
  for (const { name } of subjects) metrics[`first_invocation_ms_${name}`] = first[`first_invocation_ms_${name}`]!;
  return metrics;
}
