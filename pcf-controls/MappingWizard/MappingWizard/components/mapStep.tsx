// Map: the proposed field map per object, each proposal with its confidence and reasons, editable through a
// drop-down of the proposer's alternatives (or "do not migrate"). Dynamics columns by their display names (the
// logical name is kept in the option's title for those who look for it); source values are shown as plain text.
// Below it, the status, matter type and unknown-value maps, applied to the plan the sample and the run use.
import * as React from 'react';
import { DetailsList, DetailsListLayoutMode, Dropdown, SelectionMode, Stack, Text, type IColumn } from '@fluentui/react';
import { OPPORTUNITY_OUTCOMES, type MigrationOptions, type OpportunityOutcome, type StatusRule } from '@astep/orchestrator/options';
import type { FieldProposal, ObjectProposal } from '@astep/orchestrator/proposer/proposeMap';
import { columnLabel, objectLabel, tableLabel } from '@astep/orchestrator/vocabulary/objects';
import { formatCount, formatPercent } from '@astep/orchestrator/vocabulary/format';
import type { WizardController, WizardView } from '../wizardController';
import type { Translate } from './translate';
import { StepButton } from './stepButton';

interface StepProps { controller: WizardController; view: WizardView; t: Translate }

const NONE = '__none__';

/** The proposer's reasons name columns by logical name; people read the display name. */
const readable = (table: string, text: string) => text.replace(/\b(astep_[a-z0-9_]+|[a-z]+[0-9]|_[a-z0-9]+_value)\b/g, (c) => columnLabel(table, c));

function ObjectMap({ proposal, controller, view, t }: StepProps & { proposal: ObjectProposal }) {
  const edits = view.state.mapEdits.filter((e) => e.object === proposal.object);
  const objectName = objectLabel(proposal.object);
  const columns: IColumn[] = [
    { key: 'field', name: t('Map_Field'), minWidth: 110, maxWidth: 160, isRowHeader: true, onRender: (f: FieldProposal) => <span data-col="field">{f.sourceField}</span> },
    {
      key: 'target', name: t('Map_Target'), minWidth: 200, maxWidth: 260,
      onRender: (f: FieldProposal) => {
        const edit = edits.find((e) => e.sourceField === f.sourceField);
        const current = edit ? edit.targetColumn : f.targetColumn;
        const keys = [...new Set([f.targetColumn, ...f.alternatives.map((a) => a.column), current].filter((c): c is string => !!c))];
        return (
          <Dropdown ariaLabel={t('Map_Target_Label', objectName, f.sourceField)} selectedKey={current ?? NONE}
            options={[...keys.map((c) => {
              const label = columnLabel(proposal.table, c);
              return { key: c, text: c === f.targetColumn ? t('Map_Proposed', label) : label, title: c };
            }), { key: NONE, text: t('Map_None') }]}
            onChange={(_, o) => o && void controller.editMap({ object: proposal.object, sourceField: f.sourceField, targetColumn: o.key === NONE ? null : String(o.key) })}
            disabled={!!view.busy} />
        );
      },
    },
    {
      key: 'confidence', name: t('Map_Confidence'), minWidth: 80, maxWidth: 100, styles: { cellTitle: { justifyContent: 'flex-end' } },
      onRender: (f: FieldProposal) => {
        const edited = edits.some((e) => e.sourceField === f.sourceField);
        return <span data-col="confidence" style={{ display: 'block', textAlign: 'right' }}>{edited ? t('Map_Edited') : f.targetColumn ? formatPercent(f.confidence) : t('Map_NoProposal')}</span>;
      },
    },
    { key: 'reasons', name: t('Map_Reasons'), minWidth: 240, isMultiline: true, onRender: (f: FieldProposal) => <span data-col="reasons">{readable(proposal.table, f.reasons.join('; '))}</span> },
  ];
  return (
    <Stack tokens={{ childrenGap: 4 }} data-testid={`map-${proposal.object}`}>
      <Text variant="mediumPlus" as="h4" styles={{ root: { margin: 0 } }}>{t('Map_ObjectTitle', objectName, tableLabel(proposal.table))}</Text>
      <DetailsList items={proposal.fields} columns={columns} selectionMode={SelectionMode.none} layoutMode={DetailsListLayoutMode.justified} compact
        ariaLabelForGrid={t('Map_Grid_Label', objectName)} getKey={(f: FieldProposal) => f.sourceField} onShouldVirtualize={() => false} />
    </Stack>
  );
}

type ValueMaps = Pick<MigrationOptions, 'statusMap' | 'typeMap' | 'unknownValueMap'>;
const NONE_KEY = '__none__';

/** One status: its Matter Status (or none: the rule for any other status applies) and its opportunity outcome. */
function StatusRuleEditor({ label, rule, labels, noneText, disabled, onChange, t }: {
  label: string; rule: StatusRule | null | undefined; labels: string[]; noneText: string; disabled: boolean; onChange: (rule: StatusRule | null) => void; t: Translate;
}) {
  return (
    <Stack horizontal tokens={{ childrenGap: 8 }} verticalAlign="end">
      <Dropdown label={t('Maps_StatusLabel', label)} ariaLabel={t('Maps_StatusLabel', label)} selectedKey={rule?.matterStatus ?? NONE_KEY} disabled={disabled}
        options={[...labels.map((l) => ({ key: l, text: l })), { key: NONE_KEY, text: noneText }]} styles={{ root: { width: 240 } }}
        onChange={(_, o) => o && onChange(o.key === NONE_KEY ? null : { matterStatus: String(o.key), opportunity: rule?.opportunity ?? 'open' })} />
      {/* No rule, no outcome to choose: the status drop-down already says what applies (and a greyed-out drop-down's
          label fails the contrast check). */}
      {rule && <Dropdown label={t('Maps_Outcome', label)} ariaLabel={t('Maps_Outcome', label)} selectedKey={rule.opportunity} disabled={disabled}
        options={OPPORTUNITY_OUTCOMES.map((o) => ({ key: o, text: t(`Outcome_${o}`) }))} styles={{ root: { width: 220 } }}
        onChange={(_, o) => o && onChange({ ...rule, opportunity: o.key as OpportunityOutcome })} />}
    </Stack>
  );
}

/** The status map, the unknown-value rule and the matter type map of the plan, edited here and applied together. */
function ValueMapsEditor({ controller, view, t }: StepProps) {
  const [edited, setEdited] = React.useState<ValueMaps | null>(null);
  const plan = view.plan;
  if (!plan) return null;
  const maps: ValueMaps = edited ?? { statusMap: plan.options.statusMap, typeMap: plan.options.typeMap, unknownValueMap: plan.options.unknownValueMap };
  const statusLabels = Object.keys(plan.statusValues);
  const typeLabels = plan.schema.choices.find((c) => c.name === 'astep_mattertype')?.options.map((o) => o.label) ?? [];
  const statuses = [...new Set([...Object.keys(plan.source.matterStatuses), ...Object.keys(maps.statusMap)])];
  const busy = !!view.busy;
  const setStatus = (status: string, rule: StatusRule | null) => {
    const statusMap = { ...maps.statusMap };
    if (rule) statusMap[status] = rule;
    else delete statusMap[status];
    setEdited({ ...maps, statusMap });
  };
  const setType = (name: string, label: string) => {
    const typeMap = { ...maps.typeMap };
    if (label === name) delete typeMap[name];
    else typeMap[name] = label;
    setEdited({ ...maps, typeMap });
  };
  return (
    <Stack tokens={{ childrenGap: 8 }} data-testid="value-maps">
      <Text variant="mediumPlus" as="h4">{t('Maps_Title')}</Text>
      <Text>{t('Maps_Intro')}</Text>
      {statuses.map((status) => (
        <Stack key={status} tokens={{ childrenGap: 2 }}>
          <Text variant="smallPlus">{t('Maps_Status', status, plan.source.matterStatuses[status] ?? 0)}</Text>
          <StatusRuleEditor label={status} rule={maps.statusMap[status]} labels={statusLabels} noneText={t('Maps_NotMapped')} disabled={busy} t={t}
            onChange={(rule) => setStatus(status, rule)} />
        </Stack>
      ))}
      <StatusRuleEditor label={t('Maps_Other')} rule={maps.unknownValueMap.matterStatus} labels={statusLabels} noneText={t('Maps_OtherNone')} disabled={busy} t={t}
        onChange={(rule) => setEdited({ ...maps, unknownValueMap: { ...maps.unknownValueMap, matterStatus: rule } })} />
      {plan.matterTypes.map((type) => (
        <Dropdown key={type.actionTypeId} label={t('Maps_TypeLabel', type.name)} ariaLabel={t('Maps_TypeLabel', type.name)} disabled={busy}
          selectedKey={maps.typeMap[type.name] ?? type.name} styles={{ root: { width: 320 } }}
          options={[...new Set([type.name, ...typeLabels])].map((l) => ({ key: l, text: l }))} onChange={(_, o) => o && setType(type.name, String(o.key))} />
      ))}
      <StepButton view={view} text={t('Maps_Apply')} primary={false} disabled={!edited}
        onClick={() => void controller.applyMaps(maps).then(() => setEdited(null))} />
    </Stack>
  );
}

export const MapStep: React.FC<StepProps> = (props) => {
  const { view, t, controller } = props;
  const [object, setObject] = React.useState<string | null>(null);
  const shown = view.proposals.find((p) => p.object === object) ?? view.proposals[0];
  const proposed = view.proposals.reduce((n, p) => n + p.fields.filter((f) => f.targetColumn).length, 0);
  const fields = view.proposals.reduce((n, p) => n + p.fields.length, 0);
  return (
    <Stack tokens={{ childrenGap: 8 }}>
      <Text>{t('Map_Intro')}</Text>
      <Text role="status" data-testid="map-summary">{t('Map_Summary', formatCount(proposed), formatCount(fields), formatCount(view.state.mapEdits.length))}</Text>
      <Dropdown label={t('Map_Object')} ariaLabel={t('Map_Object')} selectedKey={shown?.object} styles={{ root: { maxWidth: 420 } }}
        options={view.proposals.map((p) => ({ key: p.object, text: t('Map_ObjectTitle', objectLabel(p.object), tableLabel(p.table)) }))} onChange={(_, o) => o && setObject(String(o.key))} />
      {shown && <ObjectMap {...props} proposal={shown} />}
      <ValueMapsEditor {...props} />
      <StepButton view={view} text={t('Map_Confirm')} onClick={() => void controller.confirmMap()} disabled={!view.proposals.length} />
    </Stack>
  );
};
