#!/usr/bin/env node
// node tests/standin/serve.mjs [--scenario ID] [--for SECONDS]
// Starts the stand-in stack on 127.0.0.1, prints the URLs, runs until killed (or for SECONDS).
import { startStack } from './stack.mjs';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const only = opt('--scenario');
const seconds = opt('--for');

process.stdout.on('error', () => {}); // e.g. piped into `head`
const stack = await startStack(only ? { scenarios: [only] } : {});
console.log(`identity provider: ${stack.idpUrl}`);
for (const s of stack.scenarios) {
  console.log(`${s.id.padEnd(26)} app ${stack.appUrl(s.id)}  deployment ${stack.backendUrl(s.id)}`);
}
console.log(
  only
    ? `open ${stack.appUrl(only)}`
    : `open ${stack.appUrl(stack.scenarios[0].id).replace(/\?.*$/, '')} for the scenario menu`,
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await stack.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (seconds) setTimeout(stop, Number(seconds) * 1000);
