export { startServer, HOST, type RunningServer, type ServerEngine, type ServerOptions } from './server';
export type { ImageReader } from './image-route';
export type { ImageBytes, ImageSize } from '../serving/serving';
