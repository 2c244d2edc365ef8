import { randomBytes } from 'node:crypto';

/**
 * A credential made up for this test run: it has the real kind's prefix (so config accepts it)
 * and random characters, so no token-shaped literal is ever tracked in the repository.
 */
export function testSecret(prefix = ''): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}
