import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

// The README's usage example must compile as written, with strictNullChecks on (the Nest 12 starter's
// `strict: true`) and off (older starters). Each mode has its tsconfig beside this file.
const root = process.cwd();
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The first ```ts block after `marker`. */
function blockAfter(marker: string): string {
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README has no ${marker}`);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (match === null) throw new Error(`README has no ts block after ${marker}`);
  return match[1];
}

/**
 * Compiles `code` as a file under test/types with the given tsconfig; returns that file's diagnostics as text.
 * Only the example's own: an application compiles against the package's declarations (skipLibCheck, as the
 * starters set), not against the library's sources, which need strict mode themselves.
 */
function compile(code: string, tsconfig: string): string[] {
  const configPath = join(root, 'test/types', tsconfig);
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (parsed === undefined) throw new Error(`cannot read ${configPath}`);
  const fileName = join(root, 'test/types/readme-example.generated.ts');
  const host = ts.createCompilerHost(parsed.options);
  const readSource = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === fileName ? ts.createSourceFile(name, code, language) : readSource(name, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], parsed.options, host);
  const example = program.getSourceFile(fileName)!;
  return [...program.getSyntacticDiagnostics(example), ...program.getSemanticDiagnostics(example)].map((diagnostic) =>
    ts.formatDiagnostic(diagnostic, host),
  );
}

const usage = blockAfter('<!-- compiled by test/types/readme-examples.spec.ts');

describe('README usage example', () => {
  it.each([
    ['strict (strictNullChecks on)', 'tsconfig.readme-strict.json'],
    ['strictNullChecks off, as in older Nest starters', 'tsconfig.readme-loose.json'],
  ])(
    'compiles with %s',
    (_mode, tsconfig) => {
      expect(compile(usage, tsconfig)).toEqual([]);
    },
    120_000,
  );

  it('the harness reports a mistake in the example (it is not vacuous)', () => {
    const broken = usage.replace('console.warn(result.reason, result.error)', 'console.warn(result.reasons)');
    expect(broken).not.toBe(usage);
    expect(compile(broken, 'tsconfig.readme-loose.json').join('\n')).toContain("Property 'reasons' does not exist");
  }, 120_000);

  it('the forRootAsync example is the module that test/e2e/config-async.spec.ts boots', () => {
    const fixture = readFileSync(join(root, 'test/e2e/fixtures/config-app.module.ts'), 'utf8');
    expect(blockAfter('<!-- the same file as test/e2e/fixtures/config-app.module.ts')).toBe(fixture);
  });
});
