import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Figures of the fault and attack suite. Each spec file tallies what it tried; the figures reporter
 * (figures-reporter.mjs, wired in jest.config.js) adds up every file's tally and prints one summary at the
 * end of the run, so CI shows how many hostile inputs, forged frames and faults the library survived.
 */
export type FigureKind = 'hostile inputs tried' | 'forged frames rejected' | 'faults survived';

export interface Accounting {
  sent: number;
  delivered: number;
  /** Messages that did not arrive but are counted somewhere (dropped, lost, failedPublications...). */
  counted: number;
}

const figures: Record<string, number> = {};
const accounting: Record<string, Accounting> = {};

export const FIGURES_DIR = join(process.cwd(), '.tmp', 'hardening-figures');

export function recordFigure(kind: FigureKind, count = 1): void {
  figures[kind] = (figures[kind] ?? 0) + count;
  flush();
}

/** One fault's accounting; the reporter flags it when sent != delivered + counted. */
export function recordAccounting(fault: string, result: Accounting): void {
  accounting[fault] = result;
  flush();
}

// Written on every record (they are few): a file is complete even if a later test of it times out.
function flush(): void {
  const file = (expect.getState().testPath ?? 'unknown').replace(/[^A-Za-z0-9]+/g, '_').slice(-120);
  mkdirSync(FIGURES_DIR, { recursive: true });
  writeFileSync(join(FIGURES_DIR, `${file}.json`), JSON.stringify({ figures, accounting }));
}
