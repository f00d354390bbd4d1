import { transformFile } from '@swc/core';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The repository root (jest runs from it). */
export const REPO_ROOT = process.cwd();
const SOURCE = join(REPO_ROOT, 'libs/pubsub/src');
// The options jest compiles the tests with, so the child processes run the same code.
const SWC_OPTIONS = JSON.parse(readFileSync(join(REPO_ROOT, 'swc.config.json'), 'utf8'));
// Inside node_modules, so the compiled files resolve @nestjs/*, ioredis... from the workspace's node_modules.
const CACHE = join(REPO_ROOT, 'node_modules/.cache/gater-pubsub-redis-tests');

export interface CompiledLibrary {
  /** Absolute path of the compiled entry (index.js). */
  entry: string;
  remove(): void;
}

/**
 * Compiles the library's TypeScript sources to ES modules with swc, fresh for each test file, so that
 * cross-process tests run from a clean clone without a prior `npm run build` and never against a stale dist.
 */
export async function compileLibrary(): Promise<CompiledLibrary> {
  const out = join(CACHE, `${process.pid}-${randomBytes(3).toString('hex')}`);
  const files = listTypeScript(SOURCE);
  await Promise.all(
    files.map(async (file) => {
      const { code } = await transformFile(file, { ...SWC_OPTIONS, sourceMaps: false, swcrc: false });
      const target = join(out, relative(SOURCE, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, code);
    }),
  );
  // The compiled tree is plain ESM: mark it so Node does not take it for CommonJS.
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module' }));
  return { entry: join(out, 'index.js'), remove: () => rmSync(out, { recursive: true, force: true }) };
}

function listTypeScript(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...listTypeScript(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}
