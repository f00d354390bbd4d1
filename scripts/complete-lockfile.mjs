// The npm registry reachable here does not serve every platform binary of @swc/core and unrs-resolver
// (darwin, win32, ...), so `npm install` writes a lock file without them and npm 11's `npm ci` then calls
// the lock "out of sync". This adds each missing optional binary as an optional, platform-tagged entry:
// `npm ci` sees a complete tree and skips them on Linux. Run after `npm install`: npm run lock:complete
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORMS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony'];
const CPUS = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'loong64', 'riscv64'];

function missingFromLock() {
  try {
    execFileSync('npm', ['ci', '--dry-run', '--ignore-scripts'], { stdio: 'pipe' });
    return [];
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    return [...output.matchAll(/Missing: (\S+?)@\S* from lock file/g)].map((match) => match[1]);
  }
}

const missing = missingFromLock();
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const requested = new Map();
for (const meta of Object.values(lock.packages)) {
  for (const [name, spec] of Object.entries(meta.optionalDependencies ?? {})) requested.set(name, spec);
}
for (const name of missing) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((part) => PLATFORMS.includes(part));
  const cpu = parts.find((part) => CPUS.includes(part));
  if (!requested.has(name) || os === undefined || cpu === undefined)
    throw new Error(`cannot complete ${name}: not an optional platform binary`);
  const entry = { version: requested.get(name).replace(/^[\^~=]/, ''), cpu: [cpu], dev: true, optional: true, os: [os] };
  if (parts.some((part) => part.includes('musl'))) entry.libc = ['musl'];
  else if (parts.some((part) => part.includes('gnu'))) entry.libc = ['glibc'];
  lock.packages[`node_modules/${name}`] = entry;
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(missing.length === 0 ? 'lock file already complete' : `added ${missing.length} platform entries: ${missing.join(', ')}`);
