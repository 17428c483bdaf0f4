/**
 * Writing output files so that a failure never leaves a partial file behind: write to a
 * temporary file in the same folder, then rename it into place (atomic on one file
 * system).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { constants, rmSync } from 'node:fs';
import { access, chmod, mkdir, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ExactDlnError } from '../errors.js';

/** The temporary files and folders being written now (removed by {@link removeTemporaries} on a signal). */
const temporaries = new Set<string>();

/**
 * Removes the temporary files and folders of the atomic writes still in progress, at once:
 * for a program stopped by a signal (Ctrl-C left hidden `.name.….tmp` files of tens of
 * megabytes next to `--out`).
 *
 * @internal
 */
export function removeTemporaries(): void {
  for (const temp of temporaries) rmSync(temp, { recursive: true, force: true });
  temporaries.clear();
}

/**
 * Writes `content` to `path` atomically: the data go to a hidden temporary file next to
 * `path` and are renamed onto it only once completely written. On any error — including
 * one thrown while `content`'s pieces are produced — the temporary file is removed and
 * `path` is left as it was. The parent folder must exist. A file that is replaced keeps its
 * permissions, a symbolic link keeps pointing at its (replaced) target, a read-only file is
 * refused, and a device, named pipe or socket (`/dev/null`, `/dev/stdout`, a FIFO) is
 * written into directly — not atomically, as nothing can be renamed onto it.
 *
 * @param path - the destination file.
 * @param content - the text to write (UTF-8): one string, or its pieces in order (an
 *   iterable or async iterable of strings, written as they come — for files larger than
 *   the longest string JavaScript can hold, about 512 MB).
 * @example
 * ```ts
 * import { writeFileAtomic } from 'exact-dln/report';
 * await writeFileAtomic('/tmp/exact-dln-example.txt', 'hello\n');
 * await writeFileAtomic('/tmp/exact-dln-example.csv', ['x,y\n', '1,2\n', '3,4\n']);
 * ```
 */
export async function writeFileAtomic(path: string, content: string | Iterable<string> | AsyncIterable<string>): Promise<void> {
  const existing = await stat(path).catch(() => undefined); // follows a symbolic link
  if (existing !== undefined && !existing.isFile() && !existing.isDirectory()) {
    // A device, a named pipe or a socket (/dev/null, /dev/stdout, >(gzip …), mkfifo): written
    // into, as the shell's > would (renaming a file onto it replaced the device itself).
    await writeFile(path, content, 'utf8');
    return;
  }
  // A symbolic link keeps pointing where it did: its target is replaced, not the link.
  const target = existing !== undefined ? await realpath(path) : path;
  if (existing !== undefined && (await access(target, constants.W_OK).then(() => false, () => true))) {
    throw new ExactDlnError(`cannot write ${path}: the file exists and is read-only; nothing was written.`);
  }
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  temporaries.add(temp);
  try {
    await writeFile(temp, content, 'utf8');
    // The replaced file's permissions are kept (a private 600 file became 644).
    if (existing !== undefined) await chmod(temp, existing.mode & 0o7777);
    await rename(temp, target);
    temporaries.delete(temp);
  } catch (error) {
    await rm(temp, { force: true });
    temporaries.delete(temp);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      // (It named the hidden temporary file, which the user never asked for.)
      throw new ExactDlnError(`cannot write ${path}: its folder ${dirname(target)} does not allow new files (${code}); nothing was written.`);
    }
    throw error;
  }
}

/**
 * mkdir -p, one level at a time from the nearest existing ancestor: Node's recursive mkdir
 * never returns for a missing folder under /proc (`demo --out /proc/x/rep` hung at full CPU),
 * where a plain mkdir fails at once.
 */
async function makeFolders(path: string): Promise<void> {
  const missing: string[] = [];
  let p = path;
  while ((await stat(p).catch(() => undefined)) === undefined && dirname(p) !== p) {
    missing.push(p);
    p = dirname(p);
  }
  for (const folder of missing.reverse()) {
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error; // created meanwhile
    });
  }
}

/**
 * Writes a set of files into the folder `dir` all or nothing: every file is first written
 * into a fresh temporary folder next to `dir`; only when all are written is the folder
 * renamed to `dir` (if `dir` does not exist) or are the files moved into it one by one
 * (if it does; other files in `dir` are kept), after checking that no folder there has one
 * of their names. On failure the temporary folder is removed.
 *
 * @param dir - the destination folder (created if missing, with its parents).
 * @param files - file name → text content; names may not contain path separators.
 * @example
 * ```ts
 * import { writeFolderAtomic } from 'exact-dln/report';
 * await writeFolderAtomic('/tmp/exact-dln-example-report', { 'index.html': '<!doctype html><title>x</title>' });
 * ```
 */
export async function writeFolderAtomic(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const name of Object.keys(files)) {
    if (name.includes('/') || name.includes('\\') || name === '' || name === '.' || name === '..') {
      throw new Error(`invalid file name ${JSON.stringify(name)}: names inside the report folder may not contain path separators.`);
    }
  }
  // Whatever would make a move fail is checked before anything is written or replaced (a
  // folder named like one of the files used to fail half-way: some files new, some stale).
  const existing = await stat(dir).catch(() => undefined);
  if (existing !== undefined && !existing.isDirectory()) throw new ExactDlnError(`${dir} exists and is not a folder.`);
  if (existing !== undefined) {
    for (const name of Object.keys(files)) {
      if ((await stat(join(dir, name)).catch(() => undefined))?.isDirectory() === true) {
        throw new ExactDlnError(`cannot write ${join(dir, name)}: a folder of that name is in the way; nothing was written.`);
      }
    }
  }
  const parent = dirname(dir);
  let temp: string;
  try {
    await makeFolders(parent);
    // mkdir, not mkdtemp: the folder gets the user's default permissions (mkdtemp's are 0700,
    // and the renamed report folder kept them).
    temp = join(parent, `.${basename(dir)}.tmp-${randomUUID()}`);
    await mkdir(temp);
    temporaries.add(temp);
  } catch (error) {
    // e.g. a read-only or virtual file system (/proc): one clear line instead of mkdtemp's raw error.
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ExactDlnError(`cannot write the folder ${dir}: its parent ${parent} cannot hold new files (${code}).`);
  }
  try {
    for (const [name, content] of Object.entries(files)) await writeFile(join(temp, name), content, 'utf8');
    if (existing === undefined) {
      await rename(temp, dir);
      temporaries.delete(temp);
      return;
    }
    for (const name of await readdir(temp)) await rename(join(temp, name), join(dir, name));
    await rm(temp, { recursive: true, force: true });
    temporaries.delete(temp);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    temporaries.delete(temp);
    throw error;
  }
}
