// UI definitions the packer turns into FormXml, SavedQuery, RibbonDiffXml, SiteMap and AppModule XML.

export type FormCell =
  | { kind: 'field'; field: string; label?: string }
  /** A field shown through a PCF control; the plain field is kept when the control was not built. */
  | { kind: 'pcf'; field: string; label: string; control: string; /** Further bound properties of the control → the column each reads and writes. */ extraBindings?: Record<string, string> }
  | { kind: 'subgrid'; name: string; label: string; targetEntity: string; relationship?: string; viewId: string; rows?: number };

export interface FormSection {
  name: string;
  label: string;
  cells: FormCell[];
}

export interface FormTab {
  name: string;
  label: string;
  sections: FormSection[];
}

export interface FormDef {
  /** Stable id (see stableGuid). */
  id: string;
  table: string;
  name: string;
  description: string;
  tabs: FormTab[];
  /** Form scripts: a JavaScript web resource and the function it runs on load (with the execution context). */
  scripts?: Array<{ library: string; onLoad: string }>;
}

export interface ViewColumn {
  field: string;
  width: number;
}

export interface ViewCondition {
  attribute: string;
  operator: 'eq' | 'ne' | 'null' | 'not-null';
  value?: string | number;
}

export interface ViewDef {
  id: string;
  table: string;
  name: string;
  description: string;
  /** SavedQuery.QueryType: 0 public, 1 advanced find, 2 associated, 4 quick find, 64 lookup. */
  queryType: 0 | 1 | 2 | 4 | 64;
  isDefault: boolean;
  columns: ViewColumn[];
  conditions: ViewCondition[];
  /** Quick find views: the columns searched (`<filter type="or" isquickfindfields="1">`). */
  quickFindFields?: string[];
  order?: { attribute: string; descending: boolean };
}

export interface EnvironmentVariableDef {
  schemaName: string;
  displayName: string;
  description: string;
  /** Environment variable definition type: 100000000 String, 100000001 Number, 100000002 Boolean, 100000003 JSON. */
  type: 'String' | 'Number' | 'Boolean' | 'JSON';
  defaultValue?: string;
  isRequired: boolean;
}

export interface RolePrivilegeDef {
  name: string;
  level: 'Basic' | 'Local' | 'Deep' | 'Global';
}

export interface RoleDef {
  id: string;
  name: string;
  privileges: RolePrivilegeDef[];
}

export interface SiteMapSubArea {
  id: string;
  entity: string;
}

export interface SiteMapGroup {
  id: string;
  title: string;
  subAreas: SiteMapSubArea[];
}

export interface AppDef {
  uniqueName: string;
  displayName: string;
  description: string;
  areaId: string;
  areaTitle: string;
  groups: SiteMapGroup[];
}
