// The page where the user grants live capture for one origin (Firefox only: a devtools panel there has no
// permissions API, so the background page opens this tab; permissions.request needs the user's click on it).
// The origin comes from the address (#<origin>); it is only ever shown as text and checked before use.
import { hostPattern } from './devtools/live-capture.js';

const api = globalThis.browser ?? globalThis.chrome;
const $ = (id) => document.getElementById(id);
let origin = '';
try {
  origin = decodeURIComponent(location.hash.slice(1));
} catch {
  origin = '';
}

function say(text) {
  $('result').textContent = text;
}

async function grant() {
  try {
    // The host on every port: Firefox's match patterns take no port (devtools/live-capture.js hostPattern).
    const granted = await api.permissions.request({ permissions: ['scripting'], origins: [hostPattern(origin)] });
    if (!granted) {
      say('Access not granted: live capture stays off.');
      return;
    }
    const answer = await api.runtime.sendMessage({ type: 'live', op: 'enable', origin });
    if (!answer?.ok) throw new Error(answer?.error || 'no answer');
    $('grant').disabled = true;
    say(`Live capture is on for ${origin}. Reload the app's page once; you can close this tab.`);
  } catch (e) {
    say(`Live capture could not be turned on: ${e?.message || e}`);
  }
}

if (hostPattern(origin)) {
  $('grant').textContent = `Allow live capture for ${origin}`;
  $('what').textContent +=
    ` Firefox grants it for the host ${new URL(origin).hostname} on every port: it has no narrower permission.`;
  $('grant').disabled = false;
  $('grant').addEventListener('click', grant);
} else {
  say('This page was opened without an app origin: open it from the Convex Auth panel.');
}
