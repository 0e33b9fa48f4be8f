// `$metadata`: a CSDL (OData v4 EDMX) document generated from the live metadata: one EntityType per table with its
// key, properties (lookups as `_x_value` Edm.Guid), single- and collection-valued navigation properties, and the
// EntitySets.
import type { MetadataCatalog } from './metadataCatalog';
import type { AttrMeta } from './metadataTypes';

const EDM: Record<AttrMeta['type'], string> = {
  uniqueidentifier: 'Edm.Guid',
  string: 'Edm.String',
  memo: 'Edm.String',
  integer: 'Edm.Int32',
  bigint: 'Edm.Int64',
  decimal: 'Edm.Decimal',
  double: 'Edm.Double',
  money: 'Edm.Decimal',
  boolean: 'Edm.Boolean',
  datetime: 'Edm.DateTimeOffset',
  picklist: 'Edm.Int32',
  state: 'Edm.Int32',
  status: 'Edm.Int32',
  multiselectpicklist: 'Edm.String',
  lookup: 'Edm.Guid',
  customer: 'Edm.Guid',
  owner: 'Edm.Guid',
  entityname: 'Edm.String',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function csdlDocument(catalog: MetadataCatalog): string {
  const types: string[] = [];
  const sets: string[] = [];
  for (const e of catalog.entities.values()) {
    const props = e.attributes.map((a) => {
      const isLookup = a.type === 'lookup' || a.type === 'customer' || a.type === 'owner';
      const name = isLookup ? `_${a.logicalName}_value` : a.logicalName;
      const type = a.type === 'datetime' && a.dateBehavior === 'DateOnly' ? 'Edm.Date' : EDM[a.type];
      const extra = a.type === 'string' || a.type === 'memo' ? ` Unicode="false"${a.maxLength ? ` MaxLength="${a.maxLength}"` : ''}` : '';
      return `<Property Name="${esc(name)}" Type="${type}"${extra}/>`;
    });
    const navs = [...catalog.navProps(e).values()].map((n) => {
      const target = n.targets.length === 1 ? `mscrm.${n.targets[0]}` : 'mscrm.principal';
      return `<NavigationProperty Name="${esc(n.name)}" Type="${target}"><ReferentialConstraint Property="_${n.attr.logicalName}_value" ReferencedProperty="${esc(n.targets.length === 1 ? (catalog.entity(n.targets[0])?.primaryIdAttribute ?? 'id') : 'ownerid')}"/></NavigationProperty>`;
    });
    const collections = [...catalog.collectionNavs(e).entries()].map(([name, c]) => `<NavigationProperty Name="${esc(name)}" Type="Collection(mscrm.${esc(c.child.logicalName)})"/>`);
    types.push(`<EntityType Name="${esc(e.logicalName)}" BaseType="mscrm.crmbaseentity"><Key><PropertyRef Name="${esc(e.primaryIdAttribute)}"/></Key>${props.join('')}${navs.join('')}${collections.join('')}</EntityType>`);
    sets.push(`<EntitySet Name="${esc(e.entitySetName)}" EntityType="Microsoft.Dynamics.CRM.${esc(e.logicalName)}"/>`);
  }
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>' +
    '<Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">' +
    '<EntityType Name="crmbaseentity" Abstract="true"/><EntityType Name="principal" BaseType="mscrm.crmbaseentity" Abstract="true"><Key><PropertyRef Name="ownerid"/></Key><Property Name="ownerid" Type="Edm.Guid"/></EntityType>' +
    types.join('') +
    '<Function Name="WhoAmI"><ReturnType Type="mscrm.WhoAmIResponse" Nullable="false"/></Function>' +
    `<EntityContainer Name="System">${sets.join('')}<FunctionImport Name="WhoAmI" Function="Microsoft.Dynamics.CRM.WhoAmI"/></EntityContainer>` +
    '</Schema></edmx:DataServices></edmx:Edmx>'
  );
}
