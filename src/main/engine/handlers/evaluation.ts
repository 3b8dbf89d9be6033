import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Engine } from '../engine';
import { EngineError } from '../errors';
import type { HandlerMap } from '../handler';
import type { EvaluationService, WorkContext } from '../../evaluation/service';
import { dataHealth, imbalance } from '../../evaluation/data-health';
import { predictBytes, predictFiles } from '../../evaluation/predict-files';
import { displayPath } from '../../images';
import { explainedClassIndex, explainImage, explainImages, type ExplainSource } from '../../evaluation/explain';
import { describeExportError, exportFolderProblem } from '../../evaluation/export-folder';
import { readModelInfo } from '../../training/protocol/model-info';
import { TrainingError } from '../../training/host/supervise-process';
import { mapTrainingErrors } from './training-errors';

type EvaluationCommand =
  | 'eval.start'
  | 'eval.get'
  | 'predict.prelabel'
  | 'predict.files'
  | 'predict.bytes'
  | 'review.queue'
  | 'export.model'
  | 'export.dataset'
  | 'kfold.start'
  | 'health.check'
  | 'health.imbalance'
  | 'labelIssues.find'
  | 'labelIssues.get'
  | 'labelIssues.keep'
  | 'explain.image'
  | 'explain.images';

export function evaluationHandlers(engine: Engine): HandlerMap<EvaluationCommand> {
  /** A job on the open project that keeps its catalogue open until it ends. */
  const startJob = <R>(
    kind: string,
    label: string,
    body: (service: EvaluationService, ctx: WorkContext) => Promise<R>,
    changed?: string,
  ): { jobId: string } => {
    const ws = engine.projects.require();
    const service = engine.training().evaluation;
    const jobId = engine.jobs.start({
      kind,
      label,
      run: (ctx) =>
        ws.use(() =>
          body(service, {
            progress: ctx.progress,
            signal: AbortSignal.any([ctx.signal, ws.closingSignal]),
            throwIfCancelled: () => {
              ctx.throwIfCancelled();
              if (ws.closingSignal.aborted) throw new Error('the project was closed');
            },
          }),
        ),
      cleanup: () => {
        if (changed && !ws.isClosed) engine.events.emit('library.changed', { reason: changed });
      },
    });
    return { jobId };
  };

  /**
   * One evaluation per run at a time: the result screen evaluates a finished run while the Runs view
   * may ask too. A request for the split being evaluated joins that job; another split waits its turn.
   */
  const evaluating = new Map<string, { split: string; jobId: string }>();

  return {
    'eval.start': ({ runId, split }) =>
      mapTrainingErrors(() => {
        engine.training().evaluation.modelDir(runId);
        const current = evaluating.get(runId);
        if (current?.split === split && engine.jobs.get(current.jobId)?.status === 'running') return { jobId: current.jobId };
        const before = current ? engine.jobs.wait(current.jobId).catch(() => undefined) : Promise.resolve(undefined);
        const started = startJob('eval', `Evaluating ${runId} on ${split}`, async (s, ctx) => {
          await before;
          ctx.throwIfCancelled();
          try {
            return await s.evaluate(runId, split, ctx);
          } finally {
            if (evaluating.get(runId)?.jobId === started.jobId) evaluating.delete(runId);
          }
        });
        evaluating.set(runId, { split, jobId: started.jobId });
        return started;
      }),
    'eval.get': ({ runId, split }) => mapTrainingErrors(() => engine.training().evaluation.report(runId, split)),
    'predict.prelabel': ({ runId }) =>
      mapTrainingErrors(() => {
        engine.training().evaluation.modelDir(runId);
        return startJob('prelabel', `Pre-labelling with ${runId}`, (s, ctx) => s.prelabel(runId, ctx), 'labels');
      }),
    'predict.files': ({ runId, modelDir, paths: given }) =>
      mapTrainingErrors(() => {
        const dir = modelDir ? resolve(modelDir) : engine.training().evaluation.modelDir(runId as string);
        const paths = given.map((p) => resolve(p));
        try {
          readModelInfo(dir);
        } catch (error) {
          throw new EngineError('invalid_input', (error as Error).message);
        }
        const missing = paths.find((p) => !existsSync(p));
        if (missing) throw new EngineError('invalid_input', `${missing}: no such file or folder`);
        const label = `Predicting ${paths.length === 1 ? paths[0] : `${paths.length} files and folders`}`.slice(0, 120);
        return {
          jobId: engine.jobs.start({
            kind: 'predict',
            label,
            run: (ctx) => predictFiles(engine.launcher, dir, paths, ctx, engine.device.resolve()),
          }),
        };
      }),
    'predict.bytes': ({ runId, files }) =>
      mapTrainingErrors(() => {
        const dir = engine.training().evaluation.modelDir(runId);
        const decoded = files.map((f) => ({ name: f.name, data: Buffer.from(f.data, 'base64') }));
        const label = `Trying ${files.length === 1 ? files[0]?.name : `${files.length} pictures`} with ${runId}`.slice(0, 120);
        return {
          jobId: engine.jobs.start({
            kind: 'predict',
            label,
            run: (ctx) => predictBytes(engine.launcher, dir, decoded, ctx, engine.device.resolve()),
          }),
        };
      }),
    'review.queue': ({ limit }) => mapTrainingErrors(() => engine.training().evaluation.reviewQueue(limit)),
    'export.model': ({ runId, outDir, format }) =>
      mapTrainingErrors(async () => {
        const ws = engine.projects.require();
        const dir = outDir ? resolve(outDir) : join(ws.dir, 'exports', `${runId}-${format}`);
        const problem = exportFolderProblem(dir);
        if (problem) throw new EngineError('invalid_input', problem);
        try {
          const result = await engine.training().evaluation.exportModel(runId, dir, format);
          return { dir: result.dir, files: result.files, format };
        } catch (error) {
          const words = describeExportError(dir, error);
          if (words) throw new EngineError('invalid_input', words);
          throw error;
        }
      }),
    'export.dataset': ({ outDir }) =>
      mapTrainingErrors(() => {
        const ws = engine.projects.require();
        const dir = outDir ?? join(ws.dir, 'exports', `dataset-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}`);
        try {
          return engine.training().evaluation.exportDataset(dir);
        } catch (error) {
          if (error instanceof TrainingError) throw error;
          throw new EngineError('invalid_input', (error as Error).message);
        }
      }),
    'kfold.start': (request) =>
      mapTrainingErrors(() => startJob('kfold', `${request.k}-fold cross-validation (${request.mode})`, (s, ctx) => s.kfold(request, ctx))),
    'health.check': () => mapTrainingErrors(() => dataHealth(engine.projects.require().catalogue)),
    'health.imbalance': () => imbalance(engine.projects.require().catalogue),
    'labelIssues.find': (request) =>
      mapTrainingErrors(() =>
        startJob('label-issues', `Finding label issues (${request.folds} folds)`, (s, ctx) => s.findLabelIssues(request, ctx)),
      ),
    'labelIssues.get': () => mapTrainingErrors(() => engine.training().evaluation.labelIssues()),
    'labelIssues.keep': ({ imageId, keep }) => mapTrainingErrors(() => engine.training().evaluation.keepLabel(imageId, keep)),
    'explain.image': ({ runId, imageId, path, file, className, overlay }) =>
      mapTrainingErrors(() => {
        const ws = engine.projects.require();
        const modelDir = engine.training().evaluation.modelDir(runId);
        explainedClassIndex(modelDir, runId, className ?? null);
        let source: ExplainSource;
        if (imageId !== undefined) {
          const found = ws.catalogue.images.source(imageId);
          if (!found) throw new EngineError('not_found', `no image with id ${imageId}`);
          if (!found.path) throw new EngineError('not_found', `image ${imageId} has no file on disk (missing)`);
          source = { path: found.path, name: displayPath(found.path), imageId };
        } else if (path !== undefined) {
          const full = resolve(path);
          if (!existsSync(full)) throw new EngineError('invalid_input', `${full}: no such file`);
          // A file the catalogue knows keeps its id, so the answer can be matched to the picture.
          source = { path: full, name: displayPath(full), imageId: ws.catalogue.images.fileByPath(full)?.imageId ?? null };
        } else {
          const given = file as { name: string; data: string };
          source = { bytes: Buffer.from(given.data, 'base64'), name: given.name, imageId: null };
        }
        const label = `Explaining ${imageId !== undefined ? `image ${imageId}` : source.name} with ${runId}`.slice(0, 120);
        return {
          jobId: engine.jobs.start({
            kind: 'explain',
            label,
            run: (ctx) =>
              explainImage(
                engine.launcher,
                { runId, modelDir, source, className: className ?? null, overlay },
                ctx,
                process.env.LDS_BACKEND ?? null,
              ),
          }),
        };
      }),
    'explain.images': ({ runId, imageIds, className }) =>
      mapTrainingErrors(() => {
        const ws = engine.projects.require();
        const modelDir = engine.training().evaluation.modelDir(runId);
        explainedClassIndex(modelDir, runId, className ?? null);
        const sources = [...new Set(imageIds)].map((imageId) => {
          const found = ws.catalogue.images.source(imageId);
          if (!found) throw new EngineError('not_found', `no image with id ${imageId}`);
          if (!found.path) throw new EngineError('not_found', `image ${imageId} has no file on disk (missing)`);
          return { path: found.path, name: displayPath(found.path), imageId };
        });
        return {
          jobId: engine.jobs.start({
            kind: 'explain',
            label: `Explaining ${sources.length} picture${sources.length === 1 ? '' : 's'} with ${runId}`,
            run: (ctx) =>
              explainImages(
                engine.launcher,
                { runId, modelDir, sources, className: className ?? null },
                ctx,
                process.env.LDS_BACKEND ?? null,
              ),
          }),
        };
      }),
  };
}
