// Checks the package as npm would publish it (run after `npm run build`): the tarball holds the build, its
// README and LICENSE and nothing else (no sources, tests or configs), and `require` and `import` of the
// installed name give the very same exports, so the channel classes cannot exist twice in one application.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const failures = [];
const check = (ok, message) => ok || failures.push(message);

const [packed] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--workspace', 'libs/pubsub'], { cwd: root, encoding: 'utf8' }),
);
const files = packed.files.map((file) => file.path);
for (const required of [
  'package.json',
  'README.md',
  'LICENSE',
  'dist/cjs/package.json',
  'dist/cjs/index.js',
  'dist/cjs/index.d.ts',
  'dist/esm/index.js',
  'dist/esm/index.d.ts',
]) {
  check(files.includes(required), `tarball lacks ${required}`);
}
const junk = files.filter((file) => !['package.json', 'README.md', 'LICENSE'].includes(file) && !/^dist\/(cjs|esm)\//.test(file));
check(junk.length === 0, `tarball holds files outside dist/: ${junk.join(', ')}`);
const tests = files.filter((file) => /\.(spec|test)\.|(^|\/)(test|__tests__)\//.test(file));
check(tests.length === 0, `tarball holds tests: ${tests.join(', ')}`);
const maps = files.filter((file) => file.endsWith('.map'));
const dangling = maps.filter((file) => {
  const map = JSON.parse(readFileSync(join(root, 'libs/pubsub', file), 'utf8'));
  return map.sourcesContent?.length !== map.sources.length;
});
check(dangling.length === 0, `source maps point at sources the package does not ship: ${dangling.slice(0, 3).join(', ')}`);
const license = (path) => (existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : '');
check(license('LICENSE') === license('libs/pubsub/LICENSE'), 'libs/pubsub/LICENSE differs from the repository LICENSE');
check(
  /^MIT License/.test(license('libs/pubsub/LICENSE')) && packed.name === '@gater/pubsub',
  'the packed LICENSE is not the MIT licence package.json names',
);

const required = createRequire(join(root, 'package.json'))('@gater/pubsub');
const imported = await import('@gater/pubsub');
check(required.Channel === imported.Channel && typeof imported.Channel === 'function', 'require and import give different Channel classes');
const names = (exports) =>
  Object.keys(exports)
    .filter((name) => name !== 'default' && name !== '__esModule')
    .sort();
const differing = names(required).filter((name) => required[name] !== imported[name]);
check(differing.length === 0, `require and import disagree on ${differing.join(', ')}`);
check(names(required).join() === names(imported).join(), 'require and import export different names');

if (failures.length > 0) {
  console.error(`check-package: ${failures.length} problem(s)\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `check-package: ${files.length} files packed (${(packed.size / 1024).toFixed(0)} kB), require and import give the same ${names(imported).length} exports`,
);
