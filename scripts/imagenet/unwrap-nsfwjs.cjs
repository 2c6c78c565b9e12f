// Unwraps one nsfwjs model folder (model.min.js + group1-shard*.min.js, JS modules that export the TF.js
// topology object and base64 weight shards) into a plain TF.js layers model: model.json + group1-shard*.bin.
// Usage: node unwrap-nsfwjs.cjs <nsfwjs dist/models/NAME> <out-dir>
'use strict';
const fs = require('fs');
const path = require('path');

const [src, out] = process.argv.slice(2);
if (!src || !out) {
  console.error('usage: node unwrap-nsfwjs.cjs <nsfwjs dist/models/NAME> <out-dir>');
  process.exit(2);
}
const model = require(path.resolve(src, 'model.min.js'));
if (!model.modelTopology || !Array.isArray(model.weightsManifest)) {
  throw new Error(src + '/model.min.js: expected an object with modelTopology and weightsManifest');
}
fs.mkdirSync(out, { recursive: true });
let bytes = 0;
for (const group of model.weightsManifest) {
  group.paths = group.paths.map((shard) => {
    const base64 = require(path.resolve(src, shard + '.min.js'));
    if (typeof base64 !== 'string') throw new Error(src + '/' + shard + '.min.js: expected a base64 string');
    const data = Buffer.from(base64, 'base64');
    fs.writeFileSync(path.join(out, shard + '.bin'), data);
    bytes += data.length;
    return shard + '.bin';
  });
}
model.format = 'layers-model';
model.generatedBy = model.generatedBy || 'nsfwjs 4.4.0 (unwrapped by scripts/imagenet/unwrap-nsfwjs.cjs)';
fs.writeFileSync(path.join(out, 'model.json'), JSON.stringify(model));
console.log(out + ': model.json and ' + model.weightsManifest.reduce((n, g) => n + g.paths.length, 0)
  + ' shard(s), ' + bytes + ' bytes');
