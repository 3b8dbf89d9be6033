/** The README.md and example.html written beside an exported model. */

interface SnippetMetadata {
  modelName: string;
  labels: string[];
  imageSize: number;
  preprocessing: { mode: 'tf' | 'unit' | 'caffe' | 'tm'; channelOrder: 'rgb' | 'bgr'; mean?: number[]; fit?: 'stretch' | 'centre-crop' };
  preprocessingSteps: string[];
  appVersion: string;
  date: string;
}

/** The scaling as a JS expression on a float tensor `x` of RGB pixels 0..255. */
function scalingJs(m: SnippetMetadata): string {
  const p = m.preprocessing;
  const bgr = p.channelOrder === 'bgr' ? 'x = tf.reverse(x, -1);\n      ' : '';
  if (p.mode === 'tf') return `${bgr}x = x.div(127.5).sub(1);`;
  if (p.mode === 'tm') return `${bgr}x = x.div(127).sub(1);`;
  if (p.mode === 'unit') return `${bgr}x = x.div(255);`;
  return `${bgr}x = x.sub(tf.tensor1d(${JSON.stringify(p.mean ?? [103.939, 116.779, 123.68])}));`;
}

/** The picture as a float tensor `x` of the model's size: the centre square first for a centre-crop run. */
function resizeJs(m: SnippetMetadata): string {
  const size = `[${m.imageSize}, ${m.imageSize}]`;
  if (m.preprocessing.fit !== 'centre-crop') return `let x = tf.image.resizeBilinear(tf.browser.fromPixels(img), ${size}).toFloat();`;
  return `const px = tf.browser.fromPixels(img);
      const side = Math.min(px.shape[0], px.shape[1]);
      const square = px.slice([Math.floor((px.shape[0] - side) / 2), Math.floor((px.shape[1] - side) / 2), 0], [side, side, 3]);
      let x = tf.image.resizeBilinear(square, ${size}).toFloat();`;
}

/** How Teachable Machine's own loader and ml5 relate to this folder's contract. */
function teachableMachineNote(m: SnippetMetadata): string {
  if (m.preprocessing.mode === 'tm')
    return `This folder is for Teachable Machine's own library (\`@teachablemachine/image\`): it scales with
x / 127 - 1 as that loader does, and the model's first layer turns that into the backbone's scaling.
The snippets below scale the same way.`;
  const match = m.preprocessing.fit === 'centre-crop' ? 'Crop, resize' : 'Resize the whole picture';
  return `Teachable Machine's own library (\`@teachablemachine/image\`) and ml5 centre-crop to a square and
scale with x / 127 - 1; with this model that gives close but not identical probabilities (\`lds export
--format tm\` writes a folder for their loader). ${match} and scale as above to match the app.`;
}

export function exportReadme(m: SnippetMetadata): string {
  return `# ${m.modelName}

A TensorFlow.js layers model exported by Little Data Studio ${m.appVersion} on ${m.date}.
Classes (output order): ${m.labels.map((l) => `\`${l}\``).join(', ')}.

Files: \`model.json\` (topology + weights manifest), the weight file(s) it lists, \`metadata.json\`
(Teachable Machine's keys — labels, imageSize — plus the preprocessing contract), \`example.html\`.

## Preprocessing (do exactly this to get the app's numbers)
${m.preprocessingSteps.map((s, i) => `${i + 1}. ${s}`).join('\n')}

${teachableMachineNote(m)}

## Browser (TF.js)
\`\`\`html
<script src="https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/dist/tf.min.js"></script>
<script>
  async function classify(img) {
    const model = await tf.loadLayersModel('model.json');
    const metadata = await (await fetch('metadata.json')).json();
    const probs = tf.tidy(() => {
      ${resizeJs(m)}
      ${scalingJs(m)}
      return model.predict(x.expandDims(0)).dataSync();
    });
    return metadata.labels.map((label, i) => ({ label, p: probs[i] }));
  }
</script>
\`\`\`

## Node
\`\`\`js
const tf = require('@tensorflow/tfjs');
const fs = require('fs');
const json = JSON.parse(fs.readFileSync('model.json', 'utf8'));
const weights = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(p))));
const model = await tf.loadLayersModel(tf.io.fromMemory({
  modelTopology: json.modelTopology,
  weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
  weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
}));
// pixels: Uint8Array of ${m.imageSize}x${m.imageSize}x3 RGB, e.g. from sharp(file).rotate().flatten({background: '#fff'})
//   .resize(${m.imageSize}, ${m.imageSize}, {fit: 'fill', kernel: 'linear', fastShrinkOnLoad: false}).removeAlpha().raw().toBuffer()
let x = tf.tensor4d(pixels, [1, ${m.imageSize}, ${m.imageSize}, 3], 'int32').toFloat();
${scalingJs(m)}
console.log(model.predict(x).dataSync());
\`\`\`

## Teachable Machine / ml5
\`tmImage.load('model.json', 'metadata.json')\` and ml5's \`imageClassifier('model.json')\` read this folder
as they read a Teachable Machine export (see the note on preprocessing above).
`;
}

export function exampleHtml(m: SnippetMetadata): string {
  return `<!doctype html>
<meta charset="utf-8">
<title>${m.modelName.replace(/[<&]/g, '')}</title>
<!-- Serve this folder over http (e.g. \`npx http-server\`): browsers do not load models from file://. -->
<script src="https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/dist/tf.min.js"></script>
<input type="file" id="file" accept="image/*">
<p id="out">Pick an image.</p>
<script>
  const modelReady = tf.loadLayersModel('model.json');
  const metadataReady = fetch('metadata.json').then((r) => r.json());
  document.getElementById('file').addEventListener('change', async (event) => {
    const img = new Image();
    img.src = URL.createObjectURL(event.target.files[0]);
    await img.decode();
    const [model, metadata] = await Promise.all([modelReady, metadataReady]);
    const probs = tf.tidy(() => {
      ${resizeJs(m)}
      ${scalingJs(m)}
      return model.predict(x.expandDims(0)).dataSync();
    });
    document.getElementById('out').textContent = metadata.labels.map((l, i) => l + ': ' + probs[i].toFixed(3)).join(', ');
  });
</script>
`;
}
