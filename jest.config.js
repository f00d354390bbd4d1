// ES modules under jest need NODE_OPTIONS=--experimental-vm-modules (set by `npm test`).
import { readFileSync } from 'node:fs';

// ES module output with legacy decorators and their metadata, as Nest needs; shared with the Redis tests'
// on-the-fly compiler.
const swc = { ...JSON.parse(readFileSync(new URL('./swc.config.json', import.meta.url), 'utf8')), sourceMaps: 'inline' };

export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  // The consumer apps run their own Jest and Vitest against the packed package (scripts/consumer-apps.sh).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumers/'],
  modulePathIgnorePatterns: ['<rootDir>/test/consumers/'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: {
    '^@gater/pubsub$': '<rootDir>/libs/pubsub/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 20_000,
  reporters: ['default', '<rootDir>/test/hardening/support/figures-reporter.mjs'],
};
