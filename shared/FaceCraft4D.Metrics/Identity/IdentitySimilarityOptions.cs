using FaceCraft4D.Vision.Preprocessing.Detection;

namespace FaceCraft4D.Metrics.Identity;

/// <summary>Which face-recognition network measures ID similarity.</summary>
public enum IdentityBackend
{
    /// <summary>ArcFace when its weights are in the models store (<c>models/arcface/{version}/</c>), else face-api.js.</summary>
    Auto,

    /// <summary>face-api.js FaceRecognitionNet (dlib ResNet, 128-D); weights from npm.</summary>
    FaceApi,

    /// <summary>insightface ArcFace IResNet (512-D); operator-supplied weights.</summary>
    ArcFace,
}

/// <summary>Tunables of the ID-similarity metric (configuration section <c>Metrics:Identity</c>).</summary>
public sealed class IdentitySimilarityOptions
{
    /// <summary>Recognition network; detection and 68 landmarks are face-api.js ports in every case.</summary>
    public IdentityBackend Backend { get; set; } = IdentityBackend.Auto;

    /// <summary>
    /// face-api.js model folder (with <c>face_recognition_model-weights_manifest.json</c>, the detector and landmark
    /// weights); null: <see cref="FaceCraft4D.Vision.Preprocessing.FaceModelLocator"/> resolution
    /// (FC4D_FACE_MODELS, then infra/node/node_modules/@vladmandic/face-api/model).
    /// </summary>
    public string? FaceModelsPath { get; set; }

    /// <summary>Face detector settings; renders of an avatar on a plain background are easy, face-api defaults work.</summary>
    public TinyFaceDetectorOptions Detector { get; set; } = new();

    /// <summary>
    /// When the detector finds no face, look again with the image centred on a canvas with this margin (fraction of the
    /// width / height per side, border-mean colour): the tiny detector misses faces that fill the protocol's tight 512 px
    /// head crops (<see cref="MarginRetryFaceDetector"/>). 0 turns the retry off; negative values are refused.
    /// </summary>
    public double DetectionRetryMargin { get; set; } = 0.5;

    /// <summary>Use the tiny 68-landmark net instead of the full one for the crop box.</summary>
    public bool TinyLandmarks { get; set; }

    /// <summary>
    /// Folder with <c>faceres.json</c> for the second identity metric (<c>id_similarity_faceres</c>; also
    /// <c>mobilefacenet.json</c>, ported in <see cref="MobileFaceNet.MobileFaceNetModel"/> but not used: its shipped weights do not separate identities); null:
    /// <see cref="FaceCraft4D.Vision.Preprocessing.HumanModelsLocator"/> resolution (FC4D_HUMAN_MODELS, then
    /// infra/node/node_modules/@vladmandic/human/models for faceres, …/human-models/models for MobileFaceNet).
    /// </summary>
    public string? HumanModelsPath { get; set; }

    /// <summary>Crop-to-input resampling; the default reproduces face-api.js.</summary>
    public FaceCropResampling Resampling { get; set; } = FaceCropResampling.FaceApiBilinear;
}
