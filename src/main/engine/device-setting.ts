import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { deviceChoiceSchema, type DeviceChoiceName } from '@shared/contract/training';
import { parseDevice, UnknownDeviceError } from '../training/forward/execution-provider';

const storedSchema = z.object({ device: deviceChoiceSchema });

/**
 * Where the forward engine runs (the Settings view's choice), per user: a machine property, not a
 * project's. A damaged file reads as auto. LDS_DEVICE overrides it, an explicit --device both.
 */
export class DeviceSetting {
  readonly file: string;
  #override: DeviceChoiceName | null = null;

  constructor(userDataDir: string) {
    this.file = join(userDataDir, 'forward-device.json');
  }

  get(): DeviceChoiceName {
    try {
      return storedSchema.parse(JSON.parse(readFileSync(this.file, 'utf8'))).device;
    } catch {
      return 'auto';
    }
  }

  set(device: DeviceChoiceName): DeviceChoiceName {
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ device }, null, 2)}\n`);
    renameSync(temp, this.file);
    return device;
  }

  /** A CLI command's --device: every job this engine starts uses it, the stored setting stays as it is. */
  override(device: string): DeviceChoiceName {
    this.#override = parseDevice(device);
    return this.#override;
  }

  /** The device a job runs on: explicit > --device > LDS_DEVICE > the setting. Throws naming the choices for a typo. */
  resolve(explicit?: string | null): DeviceChoiceName {
    if (explicit) return parseDevice(explicit);
    if (this.#override) return this.#override;
    const env = process.env.LDS_DEVICE;
    return env && env.trim() ? parseDevice(env) : this.get();
  }
}

export { UnknownDeviceError };
