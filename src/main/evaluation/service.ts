/**
 * Evaluation, prediction, pre-labelling and export for one open project. The tensor work runs in a
 * training process (training/worker/compute-jobs.ts, asked through training/host/compute-client.ts); this side joins its
 * answers to the catalogue and the runs, and is the only side that reads or writes the catalogue.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  evalReportSchema,
  kfoldRequestSchema,
  TEST_SPLIT_WARNING,
  type KfoldRequest,
  type EvalReport,
  type EvalView,
  type ReviewItem,
} from '@shared/contract/evaluation';
import type { Catalogue } from '../catalogue';
import { PredictionsRepository } from '../catalogue/predictions-repository';
import { RunsRepository, type TrainingImageRow } from '../catalogue/runs-repository';
import { exportDatasetFolders, type DatasetExportResult } from '../training/host/dataset-folders';
import { runInTrainingProcess, type ComputeAnswers } from '../training/host/compute-client';
import type { ExportMessage } from '../training/protocol/worker-protocol';
import type { ResizeMode } from '@shared/contract/project';
import { withResizeMode } from '../training/backbones/backbone-spec';
import type { TrainingProcessLauncher } from '../training/host/launcher';
import { readModelInfo, type ModelInfo } from '../training/protocol/model-info';
import { resolveConfig } from '../training/host/run-config';
import { holdOutValidation, recordedHoldout } from '../training/host/validation-holdout';
import type { WorkspaceBackbones } from '../training/backbones/workspace-backbones';
import type { RunManager } from '../training/host/run-manager';
import { TrainingError } from '../training/host/supervise-process';
import { argmax, evaluatePredictions, sampleLoss } from './metrics';
import { LABEL_ISSUE_EPOCHS, labelIssuesRequestSchema, type LabelIssuesReport, type LabelIssuesRequest } from '@shared/contract/curation';
import { buildLabelIssuesReport, openLabelIssues } from './label-issues-report';
import { DUPLICATE_SIMILARITY, OUTLIER_NEIGHBOURS } from './neighbours';
import { LabelIssuesStore } from './label-issues-store';

export interface WorkContext {
  progress(done: number, total: number, message?: string): void;
  /** Throws when the work should stop. */
  throwIfCancelled(): void;
  /** Aborts when the work should stop (cancel, project closing): stops the training process. */
  signal?: AbortSignal;
}

export type KfoldResult = ComputeAnswers['kfold']['result'];
export type ExportedModel = Omit<ComputeAnswers['export'], 'type'>;
export type ExportFormat = ExportMessage['format'];

export interface EvaluationServiceOptions {
  catalogue: Catalogue;
  runs: RunManager;
  backbones: WorkspaceBackbones;
  /** The project's resize mode: k-fold runs follow it (stretch when absent). */
  resizeMode?: ResizeMode;
  runsDir: string;
  featuresDir: string;
  appVersion: string;
  /** Starts the training processes the tensor work runs in (the same launcher training uses). */
  launcher: TrainingProcessLauncher;
  /** Forced backend (LDS_BACKEND), null = the fastest available. */
  backend?: string | null;
  /** The forward engine's device for each job (explicit > LDS_DEVICE > the Settings view's); absent = auto. */
  device?: () => string | null;
  /** Where the last label-issues report and the kept labels live (the project folder). */
  labelIssuesFile?: string;
}

export class EvaluationService {
  readonly predictions: PredictionsRepository;
  readonly #runsRepo: RunsRepository;
  readonly labelIssuesStore: LabelIssuesStore;

  constructor(readonly options: EvaluationServiceOptions) {
    this.predictions = options.catalogue.repo(PredictionsRepository);
    this.#runsRepo = options.catalogue.repo(RunsRepository);
    this.labelIssuesStore = new LabelIssuesStore(options.labelIssuesFile ?? join(options.runsDir, '..', 'label-issues.json'));
  }

  /** A finished run's model folder, or a clear reason why there is none. */
  modelDir(runId: string): string {
    const run = this.options.runs.get(runId);
    if (!run.modelDir) throw new TrainingError('invalid_input', `run ${runId} has no trained model (status ${run.status})`);
    return run.modelDir;
  }

  #compute<M extends Parameters<typeof runInTrainingProcess>[1]>(message: M, ctx?: WorkContext): Promise<ComputeAnswers[M['type']]> {
    return runInTrainingProcess(this.options.launcher, message, { progress: ctx?.progress, signal: ctx?.signal });
  }

  /**
   * Probabilities for items; bottleneck runs reuse the feature cache their training filled. featuresDir
   * always goes along: the forward engine caches converted graphs beside the features.
   */
  async #predictItems(
    info: ModelInfo,
    items: readonly { path: string; sha256: string }[],
    ctx: WorkContext,
    label: string,
  ): Promise<Float32Array[]> {
    const spec = info.mode === 'bottleneck' && info.backbone ? this.#backboneSpec(info.backbone.id) : null;
    // The run's own resize mode: its cached features were made with it.
    const backbone = spec ? withResizeMode(spec, info.preprocessing.fit ?? 'stretch') : null;
    const answer = await this.#compute(
      {
        type: 'predict',
        modelDir: info.dir,
        items: items.map(({ path, sha256 }) => ({ path, sha256 })),
        backbone,
        featuresDir: this.options.featuresDir,
        label,
        backend: this.#backend(),
        device: this.options.device?.() ?? null,
      },
      ctx,
    );
    ctx.throwIfCancelled();
    if (answer.probabilities.length !== items.length)
      throw new Error(`the training process returned ${answer.probabilities.length} predictions for ${items.length} images`);
    return answer.probabilities.map((row) => Float32Array.from(row));
  }

  #backend(): string | null {
    return this.options.backend ?? process.env.LDS_BACKEND ?? null;
  }

  #backboneSpec(id: string): ReturnType<WorkspaceBackbones['spec']> {
    try {
      return this.options.backbones.spec(id);
    } catch {
      return null;
    }
  }

  #reportFile(runId: string, split: string): string {
    return join(this.options.runsDir, runId, `evaluation-${split}.json`);
  }

  async evaluate(runId: string, split: 'validation' | 'test', ctx: WorkContext): Promise<EvalReport> {
    const info = readModelInfo(this.modelDir(runId));
    const labels = info.labels;
    const rows = this.#evaluationRows(runId, split, labels);
    const known = rows.filter((r) => labels.includes(r.className));
    if (!known.length)
      throw new TrainingError('invalid_input', `the ${split} split has no labelled images of this run's classes (${labels.join(', ')})`);
    const probs = await this.#predictItems(info, known, ctx, `evaluating on ${split}`);
    const truth = known.map((r) => labels.indexOf(r.className));
    const metrics = evaluatePredictions(probs, truth, labels);
    const items = known
      .map((r, i) => {
        const p = probs[i] as Float32Array;
        const predicted = argmax(p);
        return {
          imageId: r.imageId,
          trueIndex: truth[i] as number,
          predictedIndex: predicted,
          probabilities: Array.from(p),
          confidence: p[predicted] as number,
          loss: sampleLoss(p, truth[i] as number),
        };
      })
      .sort((a, b) => b.loss - a.loss);
    const classIds = new Map(this.options.catalogue.classes.list().map((c) => [c.name, c.id]));
    this.predictions.save(
      runId,
      items.map((it) => ({
        imageId: it.imageId,
        classId: classIds.get(labels[it.predictedIndex] as string) ?? null,
        confidence: it.confidence,
        probabilities: Object.fromEntries(labels.map((l, j) => [l, it.probabilities[j] as number])),
      })),
    );
    const { macro, roc, auc, accuracy, loss, classes, confusion, perClass, count } = metrics;
    const report: EvalReport = {
      runId,
      split,
      warning: split === 'test' ? TEST_SPLIT_WARNING : null,
      count,
      skipped: rows.length - known.length,
      accuracy,
      loss,
      classes,
      confusion,
      perClass,
      macro,
      roc,
      auc,
      items,
      createdAt: new Date().toISOString(),
    };
    writeFileSync(this.#reportFile(runId, split), JSON.stringify(report));
    return report;
  }

  /**
   * The split's images; for a run that held out part of train because the catalogue had no
   * validation images, its validation is those held-out images (chosen again by its seed).
   */
  #evaluationRows(runId: string, split: 'validation' | 'test', labels: readonly string[]): TrainingImageRow[] {
    const all = this.#runsRepo.trainingImages();
    const rows = all.filter((r) => r.split === split);
    const recorded = split === 'validation' && rows.length === 0 ? recordedHoldout(this.#runsRepo.get(runId)?.config ?? {}) : null;
    if (!recorded) return rows;
    const train = all.filter((r) => r.split === 'train' && labels.includes(r.className));
    const manifest = {
      classes: [...labels],
      items: train.map((r) => ({ path: r.path, sha256: r.sha256, label: labels.indexOf(r.className), split: r.split })),
    };
    const heldOut = new Set(
      holdOutValidation(manifest, recorded.fraction, recorded.seed)
        .manifest.items.filter((i) => i.split === 'validation')
        .map((i) => i.sha256),
    );
    return train.filter((r) => heldOut.has(r.sha256));
  }

  /** The last saved evaluation with how many of its images were relabelled since. */
  report(runId: string, split: 'validation' | 'test'): EvalView | null {
    const file = this.#reportFile(runId, split);
    if (!existsSync(file)) return null;
    const parsed = evalReportSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) return null;
    const report = parsed.data;
    const relabelled = report.items.filter((it) => this.predictions.currentClassName(it.imageId) !== report.classes[it.trueIndex]).length;
    return { ...report, relabelled };
  }

  /**
   * Predicts every image with no label (or only a predicted one) and stores the result as a
   * 'predicted' label with its confidence; manual and folder labels are never touched.
   */
  async prelabel(runId: string, ctx: WorkContext): Promise<{ labelled: number; skipped: number }> {
    const info = readModelInfo(this.modelDir(runId));
    const images = this.predictions.unlabelled();
    if (!images.length) return { labelled: 0, skipped: 0 };
    const labels = info.labels;
    const classIds = labels.map((name) => this.options.catalogue.classes.idByName(name) ?? null);
    const probs = await this.#predictItems(info, images, ctx, 'pre-labelling');
    let labelled = 0;
    const rows = images.map((img, i) => {
      const p = probs[i] as Float32Array;
      const best = argmax(p);
      return {
        imageId: img.imageId,
        classId: classIds[best] ?? null,
        confidence: p[best] as number,
        probabilities: Object.fromEntries(labels.map((l, j) => [l, p[j] as number])),
      };
    });
    this.options.catalogue.transaction(() => {
      for (const r of rows) {
        if (r.classId === null) continue;
        // Re-checked inside the transaction: the user may have labelled it while the model ran.
        const current = this.options.catalogue.labels.get(r.imageId);
        if (current.classId !== null && current.source !== 'predicted') continue;
        this.options.catalogue.labels.set({
          imageId: r.imageId,
          classId: r.classId,
          source: 'predicted',
          confidence: Math.min(1, Math.max(0, r.confidence)),
        });
        labelled++;
      }
      this.predictions.save(runId, rows);
    });
    return { labelled, skipped: images.length - labelled };
  }

  reviewQueue(limit: number): ReviewItem[] {
    return this.predictions.reviewQueue(limit);
  }

  async exportModel(runId: string, outDir: string, format: ExportFormat = 'tfjs', ctx?: WorkContext): Promise<ExportedModel> {
    const run = this.options.runs.get(runId);
    const { type: _type, ...exported } = await this.#compute(
      {
        type: 'export',
        runDir: this.modelDir(runId),
        outDir,
        appVersion: this.options.appVersion,
        metrics: run.metrics,
        backend: this.#backend(),
        format,
      },
      ctx,
    );
    return exported;
  }

  exportDataset(outDir: string, onProgress?: (done: number, total: number) => void): DatasetExportResult {
    const rows = this.#runsRepo.trainingImages();
    if (!rows.length) throw new TrainingError('invalid_input', 'no labelled images with a split to export');
    return exportDatasetFolders(rows, outDir, onProgress);
  }

  /** Stratified k-fold over train + validation (bottleneck recipe); the test split never takes part. */
  async kfold(request: KfoldRequest, ctx: WorkContext): Promise<KfoldResult> {
    const r = kfoldRequestSchema.parse(request);
    const manifest = this.options.runs.manifest();
    if (manifest.classes.length < 2)
      throw new TrainingError('invalid_input', `k-fold needs at least 2 labelled classes; found ${manifest.classes.length}`);
    const installed = this.options.backbones.spec(r.backbone);
    if (!installed)
      throw new TrainingError('not_found', 'no backbone is installed: the bundled MobileNet is missing from resources/backbones');
    const spec = withResizeMode(installed, this.options.resizeMode ?? 'stretch');
    const config = resolveConfig('bottleneck', { epochs: r.epochs, seed: r.seed }, () => null);
    try {
      const answer = await this.#compute(
        {
          type: 'kfold',
          items: manifest.items,
          classes: manifest.classes,
          backbone: spec,
          featuresDir: this.options.featuresDir,
          k: r.k,
          config,
          backend: this.#backend(),
          device: this.options.device?.() ?? null,
        },
        ctx,
      );
      return answer.result;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('k-fold')) throw new TrainingError('invalid_input', error.message);
      throw error;
    }
  }

  /**
   * Likely wrong labels over every labelled image, test split included: each image is scored by a
   * head trained on the other folds (cached features, so one extraction and k small trainings), and
   * confident learning picks the images whose out-of-fold prediction confidently disagrees. The same
   * features give the outliers (far from their nearest neighbours) and the near-duplicates whose
   * labels differ.
   */
  async findLabelIssues(request: LabelIssuesRequest, ctx: WorkContext): Promise<LabelIssuesReport> {
    const r = labelIssuesRequestSchema.parse(request);
    const rows = this.#runsRepo.trainingImages();
    const classes: string[] = [];
    for (const row of rows) if (!classes.includes(row.className)) classes.push(row.className);
    if (classes.length < 2)
      throw new TrainingError('invalid_input', `finding label issues needs at least 2 labelled classes; found ${classes.length}`);
    const installed = this.options.backbones.spec(r.backbone);
    const spec = installed ? withResizeMode(installed, this.options.resizeMode ?? 'stretch') : null;
    if (!spec)
      throw new TrainingError(
        'not_found',
        r.backbone
          ? `no backbone ${r.backbone} is installed`
          : 'no backbone is installed: the bundled MobileNet is missing from resources/backbones',
      );
    const config = resolveConfig('bottleneck', { epochs: r.epochs ?? LABEL_ISSUE_EPOCHS, seed: r.seed }, () => null);
    // Every split takes part here: a wrong label in test misleads as much as one in train.
    const items = rows.map((row) => ({
      path: row.path,
      sha256: row.sha256,
      label: classes.indexOf(row.className),
      split: 'train' as const,
    }));
    let answer;
    try {
      answer = await this.#compute(
        {
          type: 'kfold',
          items,
          classes,
          backbone: spec,
          featuresDir: this.options.featuresDir,
          k: r.folds,
          config,
          backend: this.#backend(),
          device: this.options.device?.() ?? null,
          outOfFold: true,
          neighbours: { k: OUTLIER_NEIGHBOURS, minSimilarity: DUPLICATE_SIMILARITY },
        },
        ctx,
      );
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('k-fold'))
        throw new TrainingError('invalid_input', error.message.replace(/^k-fold/, 'label issues'));
      throw error;
    }
    ctx.throwIfCancelled();
    const oof = answer.result.outOfFold;
    if (!oof || oof.length !== rows.length)
      throw new Error(`the training process returned ${oof?.length ?? 0} out-of-fold predictions for ${rows.length} images`);
    const neighbours = answer.result.neighbours;
    if (!neighbours || neighbours.meanDistance.length !== rows.length)
      throw new Error(`the training process returned no feature neighbours for ${rows.length} images`);
    const report = buildLabelIssuesReport(rows, classes, {
      outOfFold: oof,
      meanDistance: neighbours.meanDistance,
      pairs: neighbours.pairs,
      outlierNeighbours: neighbours.k,
      duplicateSimilarity: DUPLICATE_SIMILARITY,
      folds: r.folds,
      featuresComputed: answer.result.featuresComputed,
      featuresFromCache: answer.result.featuresFromCache,
      seconds: answer.result.seconds,
      neighbourSeconds: neighbours.seconds,
    });
    this.labelIssuesStore.saveReport(report);
    return this.labelIssues() ?? report;
  }

  /** The last report less the labels kept and the images relabelled (or unlabelled) since. */
  labelIssues(): LabelIssuesReport | null {
    const report = this.labelIssuesStore.report();
    if (!report) return null;
    return openLabelIssues(report, this.labelIssuesStore.keptSet(), (id) => this.predictions.currentClassName(id));
  }

  /** Keeps (or stops keeping) an image's current label out of the suspected labels. */
  keepLabel(imageId: number, keep: boolean): { kept: number } {
    const label = this.predictions.currentClassName(imageId);
    if (label === null) throw new TrainingError('invalid_input', `image ${imageId} has no label to keep`);
    return { kept: this.labelIssuesStore.setKept(imageId, label, keep) };
  }
}
