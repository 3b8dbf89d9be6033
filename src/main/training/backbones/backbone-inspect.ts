import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DEFAULT_BACKBONE_ID, type BackboneSpec } from './backbone-spec';
import { readModelArtifacts, weightsSha256 } from '../protocol/model-files';
import { MOBILENET_PREPROCESSING } from '../protocol/preprocessing-contract';

export function bundledBackboneDir(resourcesDir: string): string {
  return join(resourcesDir, 'backbones', DEFAULT_BACKBONE_ID);
}

/** Known families, recognised by layer names, so `backbones add` needs no flags for them. */
const KNOWN_FAMILIES: { featureLayer: string; topBlockStart: string; name: string }[] = [
  { featureLayer: 'out_relu', topBlockStart: 'block_16_expand', name: 'MobileNet v2' },
  { featureLayer: 'conv_pw_13_relu', topBlockStart: 'conv_dw_13', name: 'MobileNet v1' },
];

export interface InspectOptions {
  id?: string;
  name?: string;
  source?: string;
  featureLayer?: string;
  topBlockStart?: string | null;
}

/** Reads a TF.js layers model folder and works out its feature layer, top block and preprocessing. */
export function inspectBackboneDir(dir: string, options: InspectOptions = {}): BackboneSpec {
  if (!existsSync(join(dir, 'model.json')))
    throw new Error(`${dir}: no model.json here (a backbone is a TensorFlow.js layers model folder)`);
  const artifacts = readModelArtifacts(dir);
  const layerNames = topologyLayerNames(artifacts.modelTopology);
  const family = KNOWN_FAMILIES.find((f) => layerNames.includes(f.featureLayer));
  const featureLayer = options.featureLayer ?? family?.featureLayer;
  if (!featureLayer) throw new Error(`${dir}: cannot tell which layer gives the features; name one (known: out_relu, conv_pw_13_relu)`);
  if (!layerNames.includes(featureLayer)) throw new Error(`${dir}: model has no layer named ${featureLayer}`);
  const topBlockStart = options.topBlockStart !== undefined ? options.topBlockStart : (family?.topBlockStart ?? null);
  if (topBlockStart && !layerNames.includes(topBlockStart)) throw new Error(`${dir}: model has no layer named ${topBlockStart}`);
  const inputSize = inputSizeOf(artifacts.modelTopology) ?? 224;
  const sha = weightsSha256(dir);
  return {
    id: options.id ?? basename(dir),
    name: options.name ?? `${family?.name ?? 'Backbone'} (${basename(dir)})`,
    source: options.source ?? dir,
    dir,
    weightsSha256: sha,
    featureLayer,
    topBlockStart,
    preprocessing: { ...MOBILENET_PREPROCESSING, inputSize },
  };
}

export function bundledBackbone(resourcesDir: string): BackboneSpec {
  return inspectBackboneDir(bundledBackboneDir(resourcesDir), {
    id: DEFAULT_BACKBONE_ID,
    name: 'MobileNet v2 0.35 224 (bundled)',
    source: 'bundled',
  });
}

function topologyLayerNames(topology: unknown): string[] {
  const names: string[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const record = node as Record<string, unknown>;
    if (typeof record.class_name === 'string' && record.config && typeof record.config === 'object') {
      const config = record.config as Record<string, unknown>;
      if (typeof config.name === 'string') names.push(config.name);
      if (typeof record.name === 'string') names.push(record.name);
    }
    Object.values(record).forEach(visit);
  };
  visit(topology);
  return names;
}

function inputSizeOf(topology: unknown): number | null {
  const text = JSON.stringify(topology);
  const match = /"batch_input_shape":\s*\[\s*null\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*3\s*\]/.exec(text);
  return match ? Number(match[1]) : null;
}
