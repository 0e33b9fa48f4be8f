/*
*This is auto generated from the ControlManifest.Input.xml file
*/

// Define IInputs and IOutputs Type. They should match with ControlManifest.
export interface IInputs {
    mappingJson: ComponentFramework.PropertyTypes.StringProperty;
    wizardState: ComponentFramework.PropertyTypes.StringProperty;
    runId: ComponentFramework.PropertyTypes.StringProperty;
}
export interface IOutputs {
    mappingJson?: string;
    wizardState?: string;
    runId?: string;
}
