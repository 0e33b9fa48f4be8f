// One extraction step applied to a store that stages locally (SQLite, memory): the staging and the checkpoints that
// record it in one transaction, so a process killed at any moment leaves either both or neither.
import type { StagingChange, StateStore } from '../ports';

export function applyStagingChange(store: StateStore, change: StagingChange): void {
  store.transaction(() => {
    if (change.clear !== undefined) store.clearStaged(change.clear);
    if (change.unstage?.ids.length) store.unstage(change.unstage.resource, change.unstage.ids);
    if (change.stage?.length) store.stage(change.stage);
    for (const [name, value] of Object.entries(change.checkpoints ?? {})) store.setCheckpoint(name, value);
  });
}
