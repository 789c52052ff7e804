// Ad-hoc: profile the BFF under order load and print the heaviest frames per part.
import { readdirSync, readFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { createSession, ORDER_BODY, prepareDataDir, startBff } from './lib/bff';
import { installCleanup, makeScratchDir, removeScratchDir } from './lib/processes';
import { postScript, runWrk } from './lib/wrk';
installCleanup();
const dir = makeScratchDir('prof');
await prepareDataDir(dir);
const bff = await startBff({ dataDir: dir, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}/p`] });
try {
  const s = await createSession(bff.url);
  const script = postScript(ORDER_BODY, { Authorization: `Bearer ${s.token}` });
  await runWrk({ url: `${bff.url}/api/orders`, script, dir, connections: 16, durationS: 2 });
  await runWrk({ url: `${bff.url}/api/orders`, script, dir, connections: 16, durationS: 4 });
} finally {
  await bff.stop();
}
const f = readdirSync(`${dir}/p`)[0]!;
cpSync(join(dir, 'p', f), '/tmp/i19/bff.cpuprofile');
removeScratchDir(dir);
const prof = JSON.parse(readFileSync('/tmp/i19/bff.cpuprofile', 'utf8'));
const byId = new Map(prof.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<string, number>();
const inChannels = new Map<string, number>();
for (const id of prof.samples) {
  const n: any = byId.get(id);
  const key = `${n.callFrame.functionName} ${n.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/wt\/i19\//, '')}:${n.callFrame.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + 1);
  // the chain up to the first channels frame
  let cur: number | undefined = id;
  while (cur !== undefined) {
    const c: any = byId.get(cur);
    if (/bff\/src\/channels\//.test(c.callFrame.url)) {
      inChannels.set(key + '  <= ' + c.callFrame.functionName, (inChannels.get(key + '  <= ' + c.callFrame.functionName) ?? 0) + 1);
      break;
    }
    cur = parent.get(cur);
  }
}
const top = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([k, v]) => `${v}\t${k}`)
    .join('\n');
console.log('TOP SELF\n' + top(self) + '\n\nUNDER CHANNELS\n' + top(inChannels));
