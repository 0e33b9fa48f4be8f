// solution.xml (the SolutionManifest). There is no XSD for it; its shape follows real exports (reference 10.2).
import type { PublisherDef, SolutionSchema } from '../model';
import { el, labelList, text, type XmlNode } from './xml';

/** Solution component types (solutioncomponent.componenttype) used in RootComponents. */
export const COMPONENT_TYPE = {
  Entity: 1,
  OptionSet: 9,
  Role: 20,
  SavedQuery: 26,
  SystemForm: 60,
  WebResource: 61,
  SiteMap: 62,
  CustomControl: 66,
  AppModule: 80,
  Connector: 372,
  EnvironmentVariableDefinition: 380,
} as const;

export interface RootComponent {
  type: number;
  schemaName?: string;
  id?: string;
  /** 0 include subcomponents, 1 do not include, 2 shell only (standard tables we extend). */
  behavior: 0 | 1 | 2;
}

const nil = (name: string): XmlNode => el(name, { 'xsi:nil': 'true' });

function address(n: number): XmlNode {
  return el('Address', null,
    text('AddressNumber', n),
    text('AddressTypeCode', 1),
    ['City', 'County', 'Country', 'Fax', 'FreightTermsCode', 'ImportSequenceNumber', 'Latitude', 'Line1', 'Line2', 'Line3',
      'Longitude', 'Name', 'PostalCode', 'PostOfficeBox', 'PrimaryContactName'].map(nil),
    text('ShippingMethodCode', 1),
    ['StateOrProvince', 'Telephone1', 'Telephone2', 'Telephone3', 'TimeZoneRuleVersionNumber', 'UPSZone', 'UTCOffset',
      'UTCConversionTimeZoneCode'].map(nil),
  );
}

function publisherXml(p: PublisherDef): XmlNode {
  return el('Publisher', null,
    text('UniqueName', p.uniqueName),
    labelList('LocalizedNames', 'LocalizedName', p.friendlyName),
    labelList('Descriptions', 'Description', p.description),
    p.email ? text('EMailAddress', p.email) : nil('EMailAddress'),
    p.website ? text('SupportingWebsiteUrl', p.website) : nil('SupportingWebsiteUrl'),
    text('CustomizationPrefix', p.customizationPrefix),
    text('CustomizationOptionValuePrefix', p.customizationOptionValuePrefix),
    el('Addresses', null, address(1), address(2)),
  );
}

export function solutionManifestXml(schema: SolutionSchema, version: string, managed: boolean, roots: RootComponent[]): XmlNode {
  return el('ImportExportXml', {
    version: '9.2.0.0',
    SolutionPackageVersion: '9.2',
    languagecode: 1033,
    generatedBy: 'CrmLive',
    'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
  },
    el('SolutionManifest', null,
      text('UniqueName', schema.uniqueName),
      labelList('LocalizedNames', 'LocalizedName', schema.friendlyName),
      labelList('Descriptions', 'Description', schema.description),
      text('Version', version),
      text('Managed', managed ? 1 : 0),
      publisherXml(schema.publisher),
      el('RootComponents', null,
        roots.map((r) => el('RootComponent', { type: r.type, schemaName: r.schemaName, id: r.id, behavior: r.behavior })),
      ),
      el('MissingDependencies'),
    ),
  );
}

/** x.y.z (package.json) → x.y.z.0 (solution version). */
export function solutionVersion(packageVersion: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(packageVersion.trim());
  if (!m) throw new Error(`package.json version "${packageVersion}" is not x.y.z`);
  return `${m[1]}.${m[2]}.${m[3]}.0`;
}
