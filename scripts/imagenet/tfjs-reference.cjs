// The reference for Graft's TF.js import: runs a TF.js layers model with @tensorflow/tfjs's pure-JS CPU backend
// and writes the outputs of the named layers.
// Usage: node tfjs-reference.cjs <tf.min.js> <model.json> <inputs.bin> <n> <layer,layer,...> <out-dir>
//   inputs.bin: n images, float32 little-endian, NHWC at the model's input size
//   out-dir/<layer>.bin: that layer's n outputs flattened (float32 little-endian, TF.js's order)
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const [tfPath, modelJson, inputsPath, n, layerList, outDir] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: node tfjs-reference.cjs <tf.min.js> <model.json> <inputs.bin> <n> <layers> <out-dir>');
    process.exit(2);
  }
  const tf = require(path.resolve(tfPath));
  await tf.setBackend('cpu');
  const model = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  const folder = path.dirname(modelJson);
  const weightSpecs = [];
  const buffers = [];
  for (const group of model.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const shard of group.paths) buffers.push(fs.readFileSync(path.join(folder, shard)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.length);
  const net = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: model.modelTopology, weightSpecs, weightData }));
  const shape = net.inputs[0].shape.slice(1);
  const raw = fs.readFileSync(inputsPath);
  const count = Number(n);
  const x = tf.tensor(new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4), [count, ...shape]);
  const names = layerList.split(',');
  const probe = tf.model({ inputs: net.inputs, outputs: names.map((name) => net.getLayer(name).output) });
  let outs = probe.predict(x);
  if (!Array.isArray(outs)) outs = [outs];
  fs.mkdirSync(outDir, { recursive: true });
  names.forEach((name, i) => fs.writeFileSync(path.join(outDir, name + '.bin'), Buffer.from(outs[i].dataSync().buffer)));
  console.log('tfjs ' + tf.version.tfjs + ' (' + tf.getBackend() + '): ' + names.map((name, i) => name + ' '
    + JSON.stringify(outs[i].shape)).join(', ') + ' -> ' + outDir);
}
main().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
