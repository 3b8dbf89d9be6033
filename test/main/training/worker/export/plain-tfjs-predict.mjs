// Loads an exported model with plain @tensorflow/tfjs (no app code), decodes with sharp and applies
// the preprocessing written in metadata.json, exactly as a user following the export's README would.
// usage: node plain-tfjs-predict.mjs <export-dir> <image>...   → one JSON line: {"probabilities": [[...], ...]}
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';

async function main() {
  const [dir, ...images] = process.argv.slice(2);
  await tf.setBackend('cpu');
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'metadata.json'), 'utf8'));
  const weights = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  const p = meta.preprocessing;
  const size = meta.imageSize;
  const out = [];
  for (const file of images) {
    const pixels = await sharp(file)
      .rotate()
      .flatten({ background: '#ffffff' })
      .resize(size, size, { fit: 'fill', kernel: p.resize === 'nearest' ? 'nearest' : 'linear', fastShrinkOnLoad: false })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer();
    const probs = tf.tidy(() => {
      let x = tf.tensor4d(new Int32Array(pixels), [1, size, size, 3], 'int32').toFloat();
      if (p.channelOrder === 'bgr') x = tf.reverse(x, -1);
      if (p.mode === 'tf') x = x.div(127.5).sub(1);
      else if (p.mode === 'tm') x = x.div(127).sub(1);
      else if (p.mode === 'unit') x = x.div(255);
      else x = x.sub(tf.tensor1d(p.mean));
      return Array.from(model.predict(x).dataSync());
    });
    out.push(probs);
  }
  process.stdout.write(`${JSON.stringify({ labels: meta.labels, backend: tf.getBackend(), probabilities: out })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
