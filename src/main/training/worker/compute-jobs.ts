/**
 * The training process's side of predict / k-fold / export: the TensorFlow.js work main asks for with
 * a compute message, answered with one result message. Nothing here touches the catalogue: main sends
 * paths and specs, and stores what comes back.
 */
import { exportOnnxModel } from './export/onnx-export';
import { exportTeachableMachineModel } from './export/tfjs-export';
import type { Forward } from '../forward';
import { explainFiles } from './explain';
import { kfoldBottleneck } from './kfold-bottleneck';
import { dataset2dMap } from './map/map-job';
import { ensureInferenceBackend, loadModelForPrediction, predictFiles, predictWithFeatureCache } from './predict';
import type { ComputeMessage, ComputeResult } from '../protocol/worker-protocol';

export interface ComputeContext {
  progress(done: number, total: number, message: string): void;
  /** Yields to the event loop, then throws when main asked to cancel. */
  checkpoint(): Promise<void>;
  /** The forward engine for backbone passes (ONNX Runtime where the model converts). */
  forward?: Forward;
}

export async function runComputeJob(message: ComputeMessage, ctx: ComputeContext): Promise<ComputeResult> {
  await ensureInferenceBackend(message.backend);
  switch (message.type) {
    case 'predict': {
      const loaded = await loadModelForPrediction(message.modelDir);
      try {
        const options = {
          onProgress: (done: number, total: number) => ctx.progress(done, total, `${message.label} ${done}/${total}`),
          checkpoint: ctx.checkpoint,
          forward: ctx.forward,
        };
        const rows =
          message.backbone && message.featuresDir
            ? await predictWithFeatureCache(loaded, message.backbone, message.featuresDir, message.items, options)
            : await predictFiles(
                loaded,
                message.items.map((i) => i.path),
                options,
              );
        return { type: 'predicted', labels: loaded.info.labels, probabilities: rows.map((r) => Array.from(r)) };
      } finally {
        loaded.dispose();
      }
    }
    case 'kfold': {
      const result = await kfoldBottleneck({ ...message, progress: ctx.progress, checkpoint: ctx.checkpoint, forward: ctx.forward });
      return { type: 'kfold-done', result };
    }
    case 'export': {
      const options = { runDir: message.runDir, outDir: message.outDir, appVersion: message.appVersion, metrics: message.metrics };
      const result =
        message.format === 'onnx' ? await exportOnnxModel(options) : await exportTeachableMachineModel(options, message.format === 'tm');
      return { type: 'exported', ...result };
    }
    case 'explain': {
      const loaded = await loadModelForPrediction(message.modelDir);
      try {
        const explanations = await explainFiles(loaded, message.paths, message.classIndex, {
          onProgress: (done, total) => ctx.progress(done, total, `explaining ${done}/${total}`),
          checkpoint: ctx.checkpoint,
        });
        return { type: 'explained', labels: loaded.info.labels, explanations };
      } finally {
        loaded.dispose();
      }
    }
    case 'map': {
      const result = await dataset2dMap({ ...message, progress: ctx.progress, checkpoint: ctx.checkpoint, forward: ctx.forward });
      return { type: 'map-done', result };
    }
  }
}
