import type { CliCommand } from './command';

export interface CommandEntry {
  summary: string;
  /** Loaded only when run, so `lds status` never pays for tfjs. */
  load: () => Promise<{ default: CliCommand }>;
}

const entry = (summary: string, load: CommandEntry['load']): CommandEntry => ({ summary, load });

/**
 * Every `lds` command. Adding one = a module in ./commands/ with `export default defineCommand({...})`
 * and one line here.
 */
export const COMMANDS: Record<string, CommandEntry> = {
  import: entry('import folders of images (classes and splits from sub-folder names)', () => import('./commands/import')),
  status: entry('counts per class and split; unlabelled, missing, corrupt, damaged, duplicates', () => import('./commands/status')),
  label: entry('set the class of images given by id or path', () => import('./commands/label')),
  rescan: entry('re-check every known file: mark missing ones, restore returned ones', () => import('./commands/rescan')),
  augment: entry('preview augmentation: write the variants training would see as PNGs', () => import('./commands/augment')),
  train: entry('train a classifier: scratch, bottleneck features, fine-tune, or auto', () => import('./commands/train')),
  runs: entry('training runs with status and validation accuracy', () => import('./commands/runs')),
  eval: entry(
    'evaluate a run: accuracy, loss, confusion matrix, per-class metrics (validation; --split test on request)',
    () => import('./commands/eval'),
  ),
  predict: entry(
    'predict images or folders with a run or an exported model; --prelabel fills unlabelled images',
    () => import('./commands/predict'),
  ),
  export: entry(
    'export a run as a TF.js / Teachable Machine model folder, or the dataset as split/class folders',
    () => import('./commands/export'),
  ),
  kfold: entry(
    'stratified k-fold cross-validation over train + validation (the test split never takes part)',
    () => import('./commands/kfold'),
  ),
  'label-issues': entry(
    'likely wrong labels over every labelled image (confident learning on k-fold heads), most likely first; outliers and near-duplicates with different labels',
    () => import('./commands/label-issues'),
  ),
  explain: entry(
    'what the model looks at: a Grad-CAM heatmap of a picture for a run, as a PNG over the picture (--out)',
    () => import('./commands/explain'),
  ),
  map: entry(
    'lay out every image in 2-D by its backbone features (PCA, then seeded UMAP) for the Map place',
    () => import('./commands/map'),
  ),
  backbones: entry('pretrained backbones; `backbones add <dir>` adds a TF.js layers model', () => import('./commands/backbones')),
  doctor: entry('TensorFlow.js backends: which is active, why faster ones are not, how to enable them', () => import('./commands/doctor')),
  serve: entry('browser mode: serve the studio on 127.0.0.1', () => import('./commands/serve-command')),
};
