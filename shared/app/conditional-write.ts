import { ConflictError } from '../errors.ts';

/** Awaits a conditional write: true when it was made, false when its condition failed (someone else won). */
export async function conditionalWrite(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConflictError) return false;
    throw error;
  }
}
