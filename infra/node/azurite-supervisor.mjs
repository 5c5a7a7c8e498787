// Runs Azurite as a child of a parent process and stops it gracefully (SIGTERM, so Azurite saves its
// metadata) when the parent goes away, even if the parent was killed with SIGKILL.
// Usage: node azurite-supervisor.mjs <parent-pid> <azurite args...>
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const parentPid = Number(process.argv[2]);
const args = process.argv.slice(3);
if (!Number.isInteger(parentPid) || parentPid <= 0) {
  console.error('usage: node azurite-supervisor.mjs <parent-pid> <azurite args...>');
  process.exit(2);
}

const azurite = spawn(process.execPath, [join(here, 'node_modules', 'azurite', 'dist', 'src', 'azurite.js'), ...args], {
  stdio: 'inherit',
});

let stopping = false;
function stop(reason) {
  if (stopping) return;
  stopping = true;
  console.log(`[azurite-supervisor] stopping Azurite: ${reason}`);
  azurite.kill('SIGTERM');
  setTimeout(() => azurite.kill('SIGKILL'), 10000).unref();
}

function parentAlive() {
  try {
    process.kill(parentPid, 0);
    return true;
  } catch {
    return false;
  }
}

const watch = setInterval(() => { if (!parentAlive()) stop(`parent ${parentPid} exited`); }, 1000);
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
azurite.on('exit', (code, signal) => {
  clearInterval(watch);
  process.exit(code ?? (signal ? 1 : 0));
});
