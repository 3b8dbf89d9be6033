/** What every export folder shares: its metadata.json, the preprocessing in words, and an all-or-nothing write. */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from '../../protocol/model-metadata';
import type { Preprocessing } from '../../protocol/preprocessing-contract';

/** The Teachable Machine export format this layout follows (tmVersion of the sample export). */
export const TM_VERSION = '2.4.10';
export const TM_PACKAGE = { name: '@teachablemachine/image', version: '0.8.4-alpha2' };
export const EXPORT_FORMAT = 'little-data-studio/export@1';

export type ExportLayout = 'teachable-machine' | 'as-trained' | 'onnx';

export interface ExportModelOptions {
  runDir: string;
  outDir: string;
  appVersion: string;
  /** Summary metrics of the run (validation accuracy, …), written to metadata.json. */
  metrics: Record<string, unknown> | null;
  modelName?: string;
}

export interface ExportedModel {
  dir: string;
  files: string[];
  layout: ExportLayout;
}

/** metadata.json of an export: Teachable Machine's keys, then ours. */
export function exportMetadata(meta: ModelMetadata, options: ExportModelOptions, layout: ExportLayout) {
  const date = new Date().toISOString();
  return {
    // Teachable Machine's keys, so @teachablemachine/image, ml5 and TM sample code find what they expect.
    tfjsVersion: tf.version.tfjs,
    tmVersion: TM_VERSION,
    packageVersion: TM_PACKAGE.version,
    packageName: TM_PACKAGE.name,
    timeStamp: date,
    userMetadata: {},
    modelName: options.modelName ?? `lds-${meta.runId}`,
    labels: meta.labels,
    imageSize: meta.preprocessing.inputSize,
    // Ours: what code outside the app needs to get the app's numbers.
    format: EXPORT_FORMAT,
    generatedBy: `Little Data Studio ${options.appVersion}`,
    appVersion: options.appVersion,
    runId: meta.runId,
    mode: meta.mode,
    layout,
    preprocessing: meta.preprocessing,
    resizeMode: meta.preprocessing.fit ?? 'stretch',
    preprocessingSteps: preprocessingSteps(meta),
    backbone: meta.backbone,
    head: meta.head,
    metrics: options.metrics,
    trainedAt: meta.createdAt,
    date,
  };
}
export type ExportMetadata = ReturnType<typeof exportMetadata>;

export function valueRange(p: Preprocessing): string {
  return {
    tf: '[-1, 1]: x / 127.5 - 1',
    tm: "[-1, 1.008]: x / 127 - 1 (Teachable Machine's loader)",
    unit: '[0, 1]: x / 255',
    caffe: `mean-subtracted: x - ${JSON.stringify(p.mean ?? [103.939, 116.779, 123.68])} per channel, no scaling`,
  }[p.mode];
}

export function preprocessingSteps(meta: ModelMetadata): string[] {
  const p = meta.preprocessing;
  const scale = {
    tf: 'x / 127.5 - 1 (values in [-1, 1])',
    tm: "x / 127 - 1 (values in [-1, 1.008], as Teachable Machine's loader scales)",
    unit: 'x / 255 (values in [0, 1])',
    caffe: `subtract the mean ${JSON.stringify(p.mean ?? [103.939, 116.779, 123.68])} per channel, no scaling`,
  }[p.mode];
  const kernel = `with ${p.resize} interpolation (the app uses sharp/libvips kernel "${p.resize === 'nearest' ? 'nearest' : 'linear'}" with shrink-on-load off)`;
  const resize =
    p.fit === 'centre-crop'
      ? `crop the largest centred square (side = the shorter side; the odd pixel goes to the right/bottom), then resize it to ${p.inputSize}x${p.inputSize} ${kernel}`
      : `resize the whole picture to ${p.inputSize}x${p.inputSize} (stretch, no crop) ${kernel}`;
  return [
    'decode the image, apply its EXIF orientation, flatten any alpha channel onto white, convert to 8-bit sRGB',
    resize,
    `channels in ${p.channelOrder.toUpperCase()} order, layout [N, ${p.inputSize}, ${p.inputSize}, 3] float32`,
    scale,
    `the output is softmax probabilities in the order of "labels"`,
  ];
}

/**
 * Writes the folder beside the target and renames it at the end, so a failed export leaves no half
 * folder behind and a repeated one replaces the old folder whole.
 */
export async function writeFolderAtomically(
  outDir: string,
  layout: ExportLayout,
  write: (dir: string) => string[] | Promise<string[]>,
): Promise<ExportedModel> {
  const partial = `${outDir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    const files = await write(partial);
    rmSync(outDir, { recursive: true, force: true });
    renameSync(partial, outDir);
    return { dir: outDir, files, layout };
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
}
