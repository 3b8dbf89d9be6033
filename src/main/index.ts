/**
 * The Electron entry: wiring only. The privileged schemes must be declared before 'ready'; the
 * rest (window, protocols, IPC, menu) lives in desktop/studio-app.ts.
 */
import { protocol } from 'electron';
import { privilegedSchemes } from './desktop/protocols';
import { StudioApp } from './desktop/studio-app';

protocol.registerSchemesAsPrivileged(privilegedSchemes());
new StudioApp({ mainDir: __dirname, devServerUrl: process.env.ELECTRON_RENDERER_URL }).start();
