/**
 * The training data input of a job may be mounted as a file (uri_file) or as a folder
 * (uri_folder); `npm run train --data` accepts both. A folder must hold exactly one CSV at its
 * top level, so which rows were trained on is never a guess.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The CSV file behind `--data`: the path itself, or the one `.csv` file in that folder. */
export function resolveTrainingDataFile(p: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    throw new Error(`training data '${p}' does not exist`);
  }
  if (!stat.isDirectory()) return p;
  const csvs = fs
    .readdirSync(p, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.csv') && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  if (csvs.length !== 1) {
    throw new Error(
      `training data folder '${p}' must hold exactly one .csv file, found ${csvs.length}` +
        (csvs.length > 0 ? `: ${csvs.join(', ')}` : ''),
    );
  }
  return path.join(p, csvs[0]);
}
