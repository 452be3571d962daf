/** What the build renders into files beside the bundle: the man page and completion scripts. */
export { manPage } from './man-page.ts';
export { bashCompletion, zshCompletion } from './completion.ts';
