import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One handler call that finished, as a consumer process recorded it (fixture `subscribe` with `recordTo`). */
export interface HandledRecord {
  id: string;
  deliveryCount: number;
}

export interface Handled {
  records: HandledRecord[];
  /** Distinct message ids handled. */
  ids: Set<string>;
  /** How many times each id was handled. */
  times: Map<string, number>;
  /** The highest deliveryCount seen. */
  maxDeliveryCount: number;
}

/** Reads what the consumer processes recorded (they may have been SIGKILLed: a torn last line is ignored). */
export function readHandled(...files: string[]): Handled {
  const records: HandledRecord[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = /^(\S+) (\d+)$/.exec(line);
      if (match !== null) records.push({ id: match[1], deliveryCount: Number(match[2]) });
    }
  }
  const times = new Map<string, number>();
  for (const { id } of records) times.set(id, (times.get(id) ?? 0) + 1);
  const maxDeliveryCount = records.reduce((max, r) => Math.max(max, r.deliveryCount), 0);
  return { records, ids: new Set(times.keys()), times, maxDeliveryCount };
}

/** A temporary folder for the record files of one spec file. */
export function recordFolder(): { file(name: string): string } {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gater-durable-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return { file: (name) => join(dir, `${name}-${++n}.log`) };
}
