/** Paths of the extension's files as seen from the compiled tests in `out/test/`. */

import * as path from 'node:path';
import * as fs from 'node:fs';

export const EXTENSION_ROOT = path.resolve(__dirname, '..', '..');

export function readJson(relative: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, relative), 'utf8')) as Record<string, any>;
}
