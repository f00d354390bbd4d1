/**
 * `npm run bench [-- <suite-name-filter>...]`: runs every suite in bench/suites (file-name order) in this one
 * process and prints a single markdown table plus the suites' extra lines. Adding a suite = adding a file
 * there whose default export is a `Suite` (see lib/types.ts).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import { markdownTables, targetMet } from './lib/table.js';
import type { Row, Suite, SuiteResult } from './lib/types.js';

async function loadSuites(filters: string[]): Promise<Suite[]> {
  const folder = join(dirname(fileURLToPath(import.meta.url)), 'suites');
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.js'))
    .sort();
  const suites: Suite[] = [];
  for (const file of files) {
    const suite = ((await import(pathToFileURL(join(folder, file)).href)) as { default?: Suite }).default;
    if (suite === undefined || typeof suite.run !== 'function') throw new Error(`bench/suites/${file} has no default-exported Suite`);
    if (filters.length === 0 || filters.some((f) => file.includes(f) || suite.name.includes(f))) suites.push(suite);
  }
  return suites;
}

async function main(): Promise<void> {
  const started = Date.now();
  const suites = await loadSuites(process.argv.slice(2));
  const rows: Row[] = [];
  const lines: string[] = [];
  const targets: NonNullable<SuiteResult['targets']> = [];
  for (const suite of suites) {
    process.stderr.write(`[bench] ${suite.name}...\n`);
    const t0 = Date.now();
    const result = await suite.run();
    process.stderr.write(`[bench] ${suite.name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    rows.push(...result.rows);
    lines.push(...result.lines);
    targets.push(...(result.targets ?? []));
  }
  for (const row of rows) {
    const met = targetMet(row);
    if (met !== undefined)
      targets.push({ name: row.workload, met, detail: `ours/EE2 ${(row.ours / row.ee2!).toFixed(2)}x, target ≥${row.targetVsEe2}x` });
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\n### @gater/pubsub benchmark — node ${process.version}, ${os.cpus().length} × ${cpu}\n`);
  console.log('Medians of several runs; ops = publications, timed from the first publish until every handler has run.\n');
  if (rows.length > 0) console.log(markdownTables(rows) + '\n');
  for (const line of lines) console.log(line);
  const missed = targets.filter((t) => !t.met);
  console.log(`\nTargets: ${targets.length - missed.length}/${targets.length} met.`);
  // Every target with its figure: a met one printed only as a count hid how close it came.
  for (const t of targets) console.log(`- ${t.met ? 'met' : 'MISSED'}: ${t.name} — ${t.detail}`);
  console.log(`\n(bench took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
