using FaceCraft4D.Vision.Preprocessing.Networks;

namespace FaceCraft4D.Vision.Preprocessing.Detection;

/// <summary>
/// Decodes Tiny-YOLOv2 output (face-api.js TinyYolov2Base.extractBoxes): for cell (row, col) and anchor a,
/// centre = ((col, row) + sigmoid(tx, ty)) / cells, size = exp(tw, th) * anchor / cells, score = sigmoid(to),
/// all relative to the zero-padded square network input, which covers the photo from its top-left corner.
/// </summary>
public static class TinyFaceDetectorDecoder
{
    /// <param name="output">raw network output for one image, layout [anchors*5][cells][cells]</param>
    /// <param name="cells">grid side</param>
    /// <param name="squareSide">side of the padded square in photo pixels (max(width, height))</param>
    public static List<FaceDetection> Decode(float[] output, int cells, IReadOnlyList<(float W, float H)> anchors, double squareSide, double scoreThreshold)
    {
        int plane = cells * cells;
        if (output.Length != anchors.Count * TinyFaceDetectorNetConfig.BoxEncodingSize * plane)
            throw new ArgumentException("output size does not match anchors x 5 x cells^2", nameof(output));
        var result = new List<FaceDetection>();
        for (int row = 0; row < cells; row++)
        for (int col = 0; col < cells; col++)
        for (int a = 0; a < anchors.Count; a++)
        {
            int ch = a * TinyFaceDetectorNetConfig.BoxEncodingSize;
            float At(int k) => output[(ch + k) * plane + row * cells + col];
            double score = Sigmoid(At(4));
            if (score <= scoreThreshold) continue;
            double cx = (col + Sigmoid(At(0))) / cells;
            double cy = (row + Sigmoid(At(1))) / cells;
            double w = Math.Exp(At(2)) * anchors[a].W / cells;
            double h = Math.Exp(At(3)) * anchors[a].H / cells;
            result.Add(new FaceDetection(
                new FaceBox((cx - w / 2) * squareSide, (cy - h / 2) * squareSide, w * squareSide, h * squareSide), score));
        }
        return result;
    }

    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));
}
