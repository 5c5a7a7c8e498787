namespace FaceCraft4D.Pipeline.Intake;

/// <summary>How much work a submission may ask for.</summary>
public enum WorkAllowance
{
    /// <summary>At most its preset's budget (<see cref="WorkBudget"/>); everyone but operators.</summary>
    WithinPresetBudget,

    /// <summary>Anything the settings' ranges allow: operators and the local command line.</summary>
    BeyondPresetBudget,
}
