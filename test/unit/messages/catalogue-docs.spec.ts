import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CATALOGUE } from '../../../libs/pubsub/src/messages/index.js';

const generate = (): string =>
  execFileSync(process.execPath, ['scripts/generate-catalogue-docs.mjs', '--stdout'], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 60_000,
  });

describe('docs/catalogue.md', () => {
  it('is what `npm run docs:catalogue` generates from the payload classes today', () => {
    expect(readFileSync('docs/catalogue.md', 'utf8')).toBe(generate());
  }, 60_000);

  it('documents every catalogue type under its channel, with each field its class validates', () => {
    const docs = readFileSync('docs/catalogue.md', 'utf8');
    for (const [channel, classes] of Object.entries(CATALOGUE)) {
      const section = docs.slice(docs.indexOf(`\n## ${channel}\n`));
      for (const [type, payloadClass] of Object.entries(classes)) {
        expect(section).toContain(`\n### ${type}\n`);
        expect(docs).toContain(`payload class \`${payloadClass.name}\``);
      }
    }
    expect(docs).toMatch(/\| percentiles \| `Partial<Record<LatencyPercentile, number>>` \| no \| object of finite numbers keyed by/);
    expect(docs).toMatch(/\| status \| `HealthStatus` \| yes \| one of `healthy`, `degraded`, `unhealthy`, `unknown` \|/);
  });
});
