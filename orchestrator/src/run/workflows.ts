// The workflow reference document: Actionstep's automation is not exportable through the API, so we hand the
// Dynamics admin what is: matter types with their steps, participant types and data collections, to rebuild in
// Power Automate.
import type { FirmData } from '../transform/firmData';

export interface WorkflowReference {
  matterTypes: Array<{
    id: string;
    name: string;
    description: string | null;
    disabled: boolean;
    steps: Array<{ number: number; name: string; description: string | null; closes: boolean }>;
    dataCollections: Array<{ name: string; label: string | null; multipleRecords: boolean; fields: Array<{ name: string; label: string | null; dataType: string; required: boolean }> }>;
    taskTemplates: Array<{ name: string; step: number | null; matters: number }>;
  }>;
  participantTypes: Array<{ id: string; name: string; description: string | null; links: number }>;
}

export function exportWorkflows(data: FirmData): WorkflowReference {
  const byNum = (a: { id: string }, b: { id: string }) => Number(a.id) - Number(b.id);
  return {
    matterTypes: [...data.actiontypes].sort(byNum).map((t) => {
      const matterIds = new Set(data.actions.filter((m) => m.actionTypeId === t.id).map((m) => m.id));
      const taskNames = new Map<string, { step: number | null; matters: Set<string> }>();
      for (const task of data.tasks) {
        if (!task.actionId || !matterIds.has(task.actionId)) continue;
        const e = taskNames.get(task.name) ?? { step: task.completeDuringStep, matters: new Set<string>() };
        e.matters.add(task.actionId);
        taskNames.set(task.name, e);
      }
      return {
        id: t.id,
        name: t.name,
        description: t.description,
        disabled: t.isDisabled,
        steps: data.steps.filter((s) => s.actionTypeId === t.id).sort((a, b) => a.stepNumber - b.stepNumber)
          .map((s) => ({ number: s.stepNumber, name: s.stepName, description: s.description, closes: s.isClosedStep })),
        dataCollections: data.datacollections.filter((d) => d.actionTypeId === t.id).sort(byNum).map((d) => ({
          name: d.name, label: d.label, multipleRecords: d.multipleRecords,
          fields: data.datacollectionfields.filter((f) => f.dataCollectionId === d.id).sort((a, b) => (a.formOrder ?? 0) - (b.formOrder ?? 0))
            .map((f) => ({ name: f.name, label: f.label, dataType: f.dataType, required: f.required })),
        })),
        taskTemplates: [...taskNames.entries()].filter(([, v]) => v.matters.size > 1).sort((a, b) => (a[1].step ?? 0) - (b[1].step ?? 0) || (a[0] < b[0] ? -1 : 1))
          .map(([name, v]) => ({ name, step: v.step, matters: v.matters.size })),
      };
    }),
    participantTypes: [...data.participanttypes].sort(byNum).map((p) => ({
      id: p.id, name: p.name, description: p.description, links: data.actionparticipants.filter((a) => a.participantTypeId === p.id).length,
    })),
  };
}
