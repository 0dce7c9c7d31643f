/** sealwatch's version (kept equal to package.json's by a unit test; no JSON import at run time). */
export const VERSION = '0.1.0';
