/** Which package is being written: the managed one carries locked managed properties (see README). */
export interface PackFlavor {
  managed: boolean;
}
