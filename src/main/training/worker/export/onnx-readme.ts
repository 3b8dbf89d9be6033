/** README.md beside an exported model.onnx: how to feed it in Python (ONNX Runtime, OpenCV) and Node. */
import type { ExportMetadata } from './export-folder';

function numpyScaling(m: ExportMetadata): string {
  const p = m.preprocessing;
  const bgr = p.channelOrder === 'bgr' ? 'x = x[..., ::-1]\n' : '';
  if (p.mode === 'tf') return `${bgr}x = x / 127.5 - 1`;
  if (p.mode === 'tm') return `${bgr}x = x / 127 - 1`;
  if (p.mode === 'unit') return `${bgr}x = x / 255`;
  return `${bgr}x = x - np.array(${JSON.stringify(p.mean ?? [103.939, 116.779, 123.68])}, dtype=np.float32)`;
}

function pillowResize(m: ExportMetadata): string {
  const size = m.imageSize;
  const kernel = m.preprocessing.resize === 'nearest' ? 'Image.NEAREST' : 'Image.BILINEAR';
  if (m.resizeMode !== 'centre-crop') return `img = img.resize((${size}, ${size}), ${kernel})`;
  return `side = min(img.size)
left, top = (img.width - side) // 2, (img.height - side) // 2
img = img.crop((left, top, left + side, top + side)).resize((${size}, ${size}), ${kernel})`;
}

export function onnxReadme(m: ExportMetadata): string {
  return `# ${m.modelName}

An ONNX model (opset 13) exported by Little Data Studio ${m.appVersion} on ${m.date}: the whole
classifier (${m.backbone ? `${m.backbone.name} backbone + trained head` : 'the network as trained'}) in one file.
Classes (output order): ${m.labels.map((l) => `\`${l}\``).join(', ')}.

Files: \`model.onnx\`, \`labels.txt\` (one label a line, in output order), \`metadata.json\`.
\`model.onnx\` carries the same facts in its \`metadata_props\` (labels, input_size, value_range,
resize_mode, resize_interpolation, channel_order, input_layout, preprocessing as JSON), so it needs
nothing beside it.

Input \`input\`: float32 [batch, ${m.imageSize}, ${m.imageSize}, 3] (NHWC, as TensorFlow), already
preprocessed. Output \`output\`: [batch, ${m.labels.length}] softmax probabilities.

## Preprocessing (do exactly this to get the app's numbers)
${m.preprocessingSteps.map((s, i) => `${i + 1}. ${s}`).join('\n')}

Pillow's bilinear resize is not libvips's, so expect differences around 1e-3 from the app's
probabilities with the code below; the model itself gives the app's numbers within 1e-4 for the
same pixels.

## Python (ONNX Runtime)
\`\`\`python
import numpy as np, onnxruntime as ort
from PIL import Image, ImageOps
sess = ort.InferenceSession('model.onnx')
labels = open('labels.txt').read().splitlines()
img = ImageOps.exif_transpose(Image.open('photo.jpg')).convert('RGB')
${pillowResize(m)}
x = np.asarray(img, dtype=np.float32)
${numpyScaling(m)}
probs = sess.run(['output'], {'input': x[None]})[0][0]
print(sorted(zip(labels, probs), key=lambda t: -t[1]))
\`\`\`

## OpenCV DNN
\`\`\`python
net = cv2.dnn.readNetFromONNX('model.onnx')
net.setInput(x[None])  # the same NHWC float32 array as above
probs = net.forward()[0]
\`\`\`
`;
}
