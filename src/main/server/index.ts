export { startServer, HOST, type RunningServer, type ServerEngine, type ServerOptions } from './server';
export type { ImageReader, ImageBytes, ImageSize } from './image-route';
