// tests/export/run_onnx.js — runs an exported ONNX model in ONNX Runtime (onnxruntime-node,
// CPU) on N images and prints each image's probabilities, one line per image.
//   node run_onnx.js MODEL INPUT N [C H W]
// INPUT: N x C x H x W little-endian float32 (the model's "input"; C H W 3 32 32 unless
// given). NODE_PATH names the folder holding onnxruntime-node (scripts/install-deps onnx
// puts it there).
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, input, count, ...image] = process.argv.slice(2);
  const n = parseInt(count, 10);
  const [c, h, w] = image.length === 3 ? image.map((d) => parseInt(d, 10)) : [3, 32, 32];
  const bytes = fs.readFileSync(input);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, n * c * h * w);
  const session = await ort.InferenceSession.create(model);
  const result = await session.run({input: new ort.Tensor('float32', data, [n, c, h, w])});
  const probs = result.probabilities;
  const classes = probs.dims[1];
  const lines = [];
  for (let i = 0; i < n; ++i)
    lines.push(Array.from(probs.data.slice(i * classes, (i + 1) * classes), (v) => v.toPrecision(9)).join(' '));
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e) + '\n');
  process.exit(1);
});
