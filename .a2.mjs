import { build } from 'esbuild';

const r = await build({
  entryPoints: [process.argv[2]],
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  minify: true,
  write: false,
  outfile: '/tmp/x/index.mjs',
  metafile: true,
  logLevel: 'error',
});
const out = Object.values(r.metafile.outputs)[0];
let own = 0;
const rows = [];
for (const [f, v] of Object.entries(out.inputs)) {
  if (f.startsWith('lambda/')) {
    own += v.bytesInOutput;
    if (v.bytesInOutput > 0) rows.push([v.bytesInOutput, f]);
  }
}
const pk = {};
for (const [f, v] of Object.entries(out.inputs)) {
  const m = f.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) pk[m[1]] = (pk[m[1]] || 0) + v.bytesInOutput;
}
console.log(
  'total',
  out.bytes,
  'own',
  own,
  Object.entries(pk)
    .filter(([k]) => /jose|lossless|powertools|secrets|dynamodb-streams|apigateway|mnemonist/.test(k))
    .map(([k, v]) => k + ':' + v)
    .join(' '),
);
if (process.argv[3])
  for (const [b, f] of rows.sort((a, b) => b[0] - a[0]))
    if (new RegExp(process.argv[3]).test(f)) console.log(String(b).padStart(7), f);
