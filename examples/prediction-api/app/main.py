"""HTTP API of the student success prediction service."""

import logging
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app import model
from app.config import settings
from app.db import Prediction, Student, engine, get_session
from app.errors import AppError, ModelUnavailable, StudentNotFound
from app.notify import notify_advisor
from app.security import require_api_key

logging.basicConfig(level=logging.INFO)
log = logging.getLogger("prediction-api")


@asynccontextmanager
async def lifespan(app: FastAPI):
    model.load(settings.model_path)
    yield
    engine.dispose()


app = FastAPI(title="Student success prediction", lifespan=lifespan)
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)


@app.exception_handler(AppError)
async def handle_app_error(request: Request, exc: AppError) -> JSONResponse:
    return JSONResponse({"error": {"code": exc.code}}, status_code=exc.status_code)


class StudentFeatures(BaseModel):
    student_id: int = Field(gt=0)
    attendance_rate: float = Field(ge=0, le=1)
    assignments_done: int = Field(ge=0, le=200)
    average_grade: float = Field(ge=0, le=20)
    credits: int = Field(ge=0, le=60)


class PredictionOut(BaseModel):
    student_id: int
    risk: float


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.post("/api/v1/predict", response_model=PredictionOut)
def predict(features: StudentFeatures, session: Session = Depends(get_session)) -> PredictionOut:
    if not model.is_loaded():
        raise ModelUnavailable()
    risk = model.predict([features.model_dump()])[0]
    session.add(Prediction(student_id=features.student_id, risk=risk, model_version="v1"))
    session.commit()
    if risk > 0.7:
        notify_advisor(features.student_id, risk)
    return PredictionOut(student_id=features.student_id, risk=risk)


@app.get("/api/v1/students")
def list_students(
    limit: int = Query(default=50, le=100),
    offset: int = Query(default=0, ge=0),
    session: Session = Depends(get_session),
) -> list[dict]:
    rows = session.query(Student).offset(offset).limit(limit).all()
    return [{"id": s.id, "department": s.department} for s in rows]


@app.get("/api/v1/students/{student_id}")
def get_student(student_id: int, session: Session = Depends(get_session)) -> dict:
    student = session.get(Student, student_id)
    if student is None:
        raise StudentNotFound()
    return {"id": student.id, "department": student.department, "semester": student.semester}


@app.post("/api/v1/students", dependencies=[Depends(require_api_key)])
def create_student(payload: dict, session: Session = Depends(get_session)) -> dict:
    student = Student(**payload)
    session.add(student)
    session.commit()
    return {"id": student.id}


@app.delete("/api/v1/predictions/{prediction_id}")
def delete_prediction(prediction_id: int, session: Session = Depends(get_session)) -> dict:
    session.query(Prediction).filter(Prediction.id == prediction_id).delete()
    session.commit()
    return {"deleted": prediction_id}
