export { Catalogue, CATALOGUE_FILE, type RepositoryClass } from './catalogue';
export { openDb, schemaVersion, type Db, type OpenDbOptions } from './db';
export { MIGRATIONS, LATEST_SCHEMA_VERSION, parseMigrations, type Migration } from './migrations';
export { ImagesRepository, type ImageFileRow, type NewImage, type SplitSource, type ListQuery } from './images-repository';
export { ClassesRepository, CLASS_PALETTE } from './classes-repository';
export { LabelsRepository } from './labels-repository';
