/**
 * What a suite hands back to `bench/run.ts`. A suite is one file in `bench/suites/` whose default export is a
 * `Suite`; the runner discovers the files, runs them in file-name order and prints one combined report.
 */
export interface Row {
  /** Heading of the table the row belongs to; rows are grouped by it, in order of first appearance. */
  table?: string;
  /** Short label of the workload, first column of the table. */
  workload: string;
  /** Operations per second of this library (ops are publications unless `unit` says otherwise). */
  ours: number;
  /** EventEmitter2 configured as @nestjs/event-emitter does; omitted when there is no such peer. */
  ee2?: number;
  /** @nestjs/event-emitter itself, in a Nest application with @OnEvent handlers. */
  nest?: number;
  /** An rxjs Subject with a `filter` per subscriber. */
  rxjs?: number;
  /** node:events EventEmitter on exact topics (the ceiling); omitted when there is no such peer. */
  ee?: number;
  /** Minimum ours/EE2 ratio the project promises for this workload. */
  targetVsEe2?: number;
  /** Free text shown in the last column (deliveries per op, checks...). */
  note?: string;
}

export interface SuiteResult {
  rows: Row[];
  /** Extra report lines printed below the table (memory, latency, ...). */
  lines: string[];
  /** Targets outside the table (e.g. memory per subscription); false ones are listed as missed. */
  targets?: { name: string; met: boolean; detail: string }[];
}

export interface Suite {
  name: string;
  run(): Promise<SuiteResult>;
}
